import type { SpawnerRunner } from './spawner-runner.js';
import { startSpawner } from './spawner-start.js';
import { posixSpawnEligible } from './posix-spawn.js';

/** A spawner started before the worker's logger exists; its messages wait for `bind`. */
export interface EarlySpawner {
  readonly runner: SpawnerRunner;
  /** Sends the messages so far, and the later ones, to `say`; returns the runner. */
  bind(say: (message: string) => void): SpawnerRunner;
}

/**
 * Whether the worker's entry starts its spawner early. Not on Windows (no spawner there), and not where
 * tools start with posix_spawn (Linux, posix-spawn.ts): there a tool the worker starts itself costs no
 * fork of the worker, and a spawner booting beside the worker took 30–50 ms from its boot on two cores
 * (`--only=recovery`, worker boot 271–305 -> 245 ms, bench/FINDINGS.md, session 16). The worker then
 * starts its spawner at the first run it starts itself, once that tool has started (handover-runner.ts).
 */
export function earlySpawnerWanted(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): boolean {
  return platform !== 'win32' && !posixSpawnEligible(platform, env);
}

/**
 * The worker's spawner, forked at the top of the worker's entry, before its own imports: the
 * spawner's Node start and its load of execa or koffi (~110-250 ms) then run on the other core beside the
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
