import type { SpawnerRunner } from './spawner-runner.js';
import { startSpawner } from './spawner-start.js';

/** A spawner started before the worker's logger exists; its messages wait for `bind`. */
export interface EarlySpawner {
  readonly runner: SpawnerRunner;
  /** Sends the messages so far, and the later ones, to `say`; returns the runner. */
  bind(say: (message: string) => void): SpawnerRunner;
}

/**
 * The worker's spawner, forked at the top of the worker's entry, before its own imports: the
 * spawner's Node start and its execa load (~150-250 ms) then run on the other core beside the
 * worker's boot (~300 ms), so the first task after a start or a crash goes to a ready spawner
 * instead of running in-process while one boots (bench/FINDINGS.md, "Session 9"). POSIX only, as
 * the spawner itself (worker-runner.ts). Not used, it goes by its idle exit like any spawner.
 */
export function startEarlySpawner(platform: NodeJS.Platform = process.platform): EarlySpawner | undefined {
  if (platform === 'win32') return undefined;
  let held: string[] = [];
  let to: ((message: string) => void) | undefined;
  const runner = startSpawner((m) => (to ? to(m) : held.push(m)));
  runner.warm();
  return {
    runner,
    bind(say) {
      to = say;
      for (const m of held) say(m);
      held = [];
      return runner;
    },
  };
}
