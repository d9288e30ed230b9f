#!/usr/bin/env node
// The supervisor forks this file: `child.js --root <dir>`, with the IPC address in the environment
// (or, in the bundle, the startup snapshot of snapshot-entry.ts in its place: worker-snapshot.ts).
// Test faults and the compile cache go in before anything heavy is loaded (crash-at-boot is at boot).
import { enableCompileCache } from '@headless/core/compile-cache';
import { bootMark } from '@headless/core/boot-trace';
import { runWorkerChild } from './child-run.js';

bootMark('entry');
enableCompileCache();
await runWorkerChild(async () => (await import('./main.js')).runWorkerProcess);
