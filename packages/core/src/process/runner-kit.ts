/**
 * The runner contract's two implementations, for the tests that check runner behaviour
 * (run.test.ts, run-watch.test.ts): each runs against the in-process runner and, on POSIX, the
 * spawner runner (the worker's default there), so the two cannot drift apart; on Linux the
 * in-process runner also with Node's own spawn, as where posix_spawn is not used (posix-spawn.ts).
 */
import { createProcessRunner } from './run.js';
import { startSpawner } from './spawner-start.js';
import type { ProcessRunner } from './types.js';

export type TestRunnerKind = 'in-process' | 'spawner' | 'in-process, node spawn';

export const RUNNER_KINDS: readonly TestRunnerKind[] =
  process.platform === 'win32'
    ? ['in-process']
    : process.platform === 'linux'
      ? ['in-process', 'spawner', 'in-process, node spawn']
      : ['in-process', 'spawner'];

export function makeRunner(kind: TestRunnerKind): ProcessRunner {
  if (kind === 'in-process') return createProcessRunner();
  if (kind === 'in-process, node spawn') return createProcessRunner({ nodeSpawn: true });
  return startSpawner();
}
