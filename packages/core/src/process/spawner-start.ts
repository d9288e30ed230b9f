import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledEntry } from '../bundle.js';
import { createSpawnerRunner, type SpawnerRunner } from './spawner-runner.js';

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

/** The worker's spawner runner (its process starts at the first run or `warm`). */
export function startSpawner(say?: (message: string) => void): SpawnerRunner {
  return createSpawnerRunner({
    entry: spawnerEntry(),
    execArgv: SPAWNER_EXEC_ARGV,
    ...(say ? { say } : {}),
  });
}
