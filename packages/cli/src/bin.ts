#!/usr/bin/env node
import { enableCompileCache } from '@headless/core/compile-cache';
import { guardStdio } from '@headless/core/fs/disk-fault';

// Before anything heavy is imported, so the cache covers it.
enableCompileCache();
// A broken stdout/stderr pipe (a dead reader) must not end the process with an unhandled 'error'.
guardStdio();
// Before any schema is built (zod decides at construction whether a schema gets a compiled parser).
const { zodJitless } = await import('./zod-mode.js');
if (zodJitless(process.argv)) (await import('@headless/core/config/zod-jit')).useZodWithoutJit();
const { runCli } = await import('./run-cli.js');
process.exitCode = await runCli(process.argv);
