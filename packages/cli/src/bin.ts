#!/usr/bin/env node
import { enableCompileCache } from '@headless/core/compile-cache';
import { guardStdio } from '@headless/core/fs/disk-fault';

// Before anything heavy is imported, so the cache covers it.
enableCompileCache();
// A broken stdout/stderr pipe (a dead reader) must not end the process with an unhandled 'error'.
guardStdio();
const { runCli } = await import('./run-cli.js');
process.exitCode = await runCli(process.argv);
