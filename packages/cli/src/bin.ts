#!/usr/bin/env node
import { pathToFileURL } from 'node:url';
import { enableCompileCache } from '@headless/core/compile-cache';
import { bundledEntry } from '@headless/core/bundle';
import { nodeVersionProblem } from '@headless/core/node-version';

// First of all: an older node loads headless and then fails every task far from the cause.
const tooOld = nodeVersionProblem(process.versions.node, process.execPath);
if (tooOld) {
  process.stderr.write(`headless: ${tooOld}\n`);
  process.exit(2);
}

// Before anything heavy is imported, so the cache covers it.
enableCompileCache();
const { chosenCommand } = await import('./commands/index.js');
if (chosenCommand(process.argv) === 'status') {
  // In the bundle, status has a file of its own (status-cli.ts says why); nothing else is loaded first.
  const own = bundledEntry('status');
  const { runStatusCli } = (
    own ? await import(pathToFileURL(own).href) : await import('./status-cli.js')
  ) as typeof import('./status-cli.js');
  process.exitCode = await runStatusCli(process.argv);
} else {
  // A broken stdout/stderr pipe (a dead reader) must not end the process with an unhandled 'error'.
  (await import('@headless/core/fs/disk-fault')).guardStdio();
  // Before any schema is built (zod decides at construction whether a schema gets a compiled parser).
  const { zodJitless } = await import('./zod-mode.js');
  if (zodJitless(process.argv)) (await import('@headless/core/config/zod-jit')).useZodWithoutJit();
  const { runCli } = await import('./run-cli.js');
  process.exitCode = await runCli(process.argv);
}
