import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledEntry } from '../bundle.js';
import { createHandOverRunner, type HandOverRunner } from './handover-runner.js';
import { createProcessRunner } from './run.js';
import { createSpawnerRunner } from './spawner-runner.js';
import type { ProcessRunner } from './types.js';

/** `policies.worker.spawner`: `auto` runs tools from a spawner on POSIX; `off` forks from the worker. */
export type SpawnerMode = 'auto' | 'off';

/** What `status` and the worker's start line call the runner in use. */
export type RunnerKind = 'spawner' | 'in-process';

/**
 * The spawner's Node flags: a small daemon's 1 MB young generation (child-flags.ts in the
 * supervisor says why); its heap holds one request and a few buffers per run. No optimising
 * compiler (`--lite-mode`): its JS is light, and each fork copies the process's page tables and
 * then faults on every page it writes; the compiler's code and memory made a run ~3 ms slower
 * (anonymous memory 35 -> 17 MB; bench/FINDINGS.md, "Session 8").
 */
export const SPAWNER_EXEC_ARGV: readonly string[] = ['--max-semi-space-size=1', '--lite-mode'];

/** The spawner's script: dist/spawner.js next to a bundled worker, else the tsc build's spawner-child.js. */
export function spawnerEntry(): string {
  return (
    bundledEntry('spawner') ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'spawner-child.js')
  );
}

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
 * run waits for a Node start.
 */
export function createWorkerRunner(
  mode: SpawnerMode,
  say: (message: string) => void,
): { runner: ProcessRunner | HandOverRunner; kind: RunnerKind } {
  const kind = runnerKindFor(mode);
  const local = createProcessRunner();
  if (kind === 'in-process') return { runner: local, kind };
  const spawner = createSpawnerRunner({ entry: spawnerEntry(), execArgv: SPAWNER_EXEC_ARGV, say });
  return { runner: createHandOverRunner(spawner, local), kind };
}
