#!/usr/bin/env node
// The supervisor forks this file: `child.js --root <dir>`, with the IPC address in the environment.
// Test faults and the compile cache go in before anything heavy is loaded (crash-at-boot is at boot).
import { installTestFaults } from '@headless/core/faults';
import { enableCompileCache } from '@headless/core/compile-cache';
import { guardStdio } from '@headless/core/fs/disk-fault';
import { bootMark } from '@headless/core/boot-trace';
import { startEarlySpawner } from '@headless/core/process/early-spawner';

bootMark('entry');

installTestFaults('worker');
enableCompileCache();
// A broken stdout/stderr pipe (a dead reader) must not end the process with an unhandled 'error'.
guardStdio();
const i = process.argv.indexOf('--root');
const root = i >= 0 ? process.argv[i + 1] : undefined;
if (!root) {
  process.stderr.write('worker child: --root <dir> is required\n');
  process.exit(2);
}
// The spawner boots on the other core while this process loads (early-spawner.ts).
const earlySpawner = startEarlySpawner();
try {
  const { runWorkerProcess } = await import('./main.js');
  bootMark('imports');
  const { exitCode } = await runWorkerProcess({
    root,
    console: false,
    untilIdle: false,
    supervised: true,
    ...(earlySpawner ? { earlySpawner } : {}),
  });
  process.exit(exitCode);
} catch (err) {
  process.stderr.write(`worker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
}
