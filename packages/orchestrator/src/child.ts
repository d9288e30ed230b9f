// The supervisor forks this file: `node packages/orchestrator/dist/child.js --root <dir>`.
// Test faults go in before anything else is loaded, so `crash-at-boot` really is at boot.
import { installTestFaults } from '@headless/core/faults';
import { enableCompileCache } from '@headless/core/compile-cache';
import { guardStdio } from '@headless/core/fs/disk-fault';

installTestFaults('orchestrator');
enableCompileCache();
// A broken stdout/stderr pipe (a dead reader) must not end the process with an unhandled 'error'.
guardStdio();
const { runSupervisedChild } = await import('./main.js');
process.exitCode = await runSupervisedChild(process.argv.slice(2));
// Leftover handles (an unflushed transport, a socket retry timer) must not keep a stopped child alive.
process.exit();
