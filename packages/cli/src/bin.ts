#!/usr/bin/env node
import { enableCompileCache } from '@headless/core/compile-cache';

// Before anything heavy is imported, so the cache covers it.
enableCompileCache();
const { runCli } = await import('./run-cli.js');
process.exitCode = await runCli(process.argv);
