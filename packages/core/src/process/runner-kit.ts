/**
 * The runner contract's two implementations, for the tests that check runner behaviour
 * (run.test.ts, run-watch.test.ts): each runs against the in-process runner and, on POSIX, the
 * spawner runner (the worker's default there), so the two cannot drift apart.
 */
import { createProcessRunner } from './run.js';
import { startSpawner } from './spawner-start.js';
import type { ProcessRunner } from './types.js';

export type TestRunnerKind = 'in-process' | 'spawner';

export const RUNNER_KINDS: readonly TestRunnerKind[] =
  process.platform === 'win32' ? ['in-process'] : ['in-process', 'spawner'];

export function makeRunner(kind: TestRunnerKind): ProcessRunner {
  if (kind === 'in-process') return createProcessRunner();
  return startSpawner();
}
