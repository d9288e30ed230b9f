import type { EarlySpawner } from './early-spawner.js';
import { createHandOverRunner, type HandOverRunner } from './handover-runner.js';
import { createProcessRunner } from './run.js';
import { startSpawner } from './spawner-start.js';
import type { ProcessRunner } from './types.js';

export { SPAWNER_EXEC_ARGV, spawnerEntry } from './spawner-start.js';

/** `policies.worker.spawner`: `auto` runs tools from a spawner on POSIX; `off` forks from the worker. */
export type SpawnerMode = 'auto' | 'off';

/** What `status` and the worker's start line call the runner in use. */
export type RunnerKind = 'spawner' | 'in-process';

/**
 * Which runner the worker uses. Windows has no fork cost (CreateProcess) and its Job Objects belong
 * to the process that made them, so it keeps the in-process runner; so does `off`.
 */
export function runnerKindFor(mode: SpawnerMode, platform: NodeJS.Platform = process.platform): RunnerKind {
  return mode === 'auto' && platform !== 'win32' ? 'spawner' : 'in-process';
}

/** The worker's start line names the runner: `(tools started by: <label>)`. */
export function runnerLabel(kind: RunnerKind | 'injected'): string {
  return kind === 'spawner' ? 'spawner (in-process until it is ready)' : kind;
}

/**
 * The spawner kind runs in-process until its spawner has said ready (handover-runner.ts), so no
 * run waits for a Node start. `early`: the spawner the worker's entry started before its own
 * imports (early-spawner.ts); it is used, or let go when the config says `off`.
 */
export function createWorkerRunner(
  mode: SpawnerMode,
  say: (message: string) => void,
  early?: EarlySpawner,
): { runner: ProcessRunner | HandOverRunner; kind: RunnerKind } {
  const kind = runnerKindFor(mode);
  const local = createProcessRunner();
  if (kind === 'in-process') {
    void early?.runner.close();
    return { runner: local, kind };
  }
  const spawner = early ? early.bind(say) : startSpawner(say);
  return { runner: createHandOverRunner(spawner, local), kind };
}
