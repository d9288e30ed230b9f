import type { SpawnerRunner } from './spawner-runner.js';
import type { ProcessRunner, RunRequest, RunResult } from './types.js';

/** Which runner each run went to (tests; the hand-over is otherwise invisible). */
export interface HandOverCounts {
  inProcess: number;
  spawner: number;
}

export interface HandOverRunner extends ProcessRunner {
  readonly kind: 'spawner';
  spawnerPid(): number | undefined;
  close(): Promise<void>;
  warm(): void;
  counts(): HandOverCounts;
}

/**
 * The worker's runner on POSIX: a run goes to the spawner once it has said it is ready, and to
 * the in-process runner (the worker forks the tool itself) while it is not. A spawner is a second
 * Node start (~100-260 ms here); before this, the first task after a worker's start (and the next
 * task after the spawner's idle exit) waited for it, which was most of the time from a `kill -9`
 * of the worker to the next tool's start. Each run not sent to the spawner warms one, so the
 * runs after it are handed over. Results are the same either way (the runner contract tests run
 * against both); a spawner that never gets ready only means every run stays in-process.
 */
export function createHandOverRunner(spawner: SpawnerRunner, local: ProcessRunner): HandOverRunner {
  const counts: HandOverCounts = { inProcess: 0, spawner: 0 };
  const run = (req: RunRequest): Promise<RunResult> => {
    if (spawner.isReady()) {
      counts.spawner++;
      return spawner.run(req);
    }
    counts.inProcess++;
    // The spawner is forked once this tool has started (or failed to), not before: the fork holds
    // the worker's thread ~10 ms, which was on the way of the first task after every worker start.
    let warmed = false;
    const warm = () => {
      if (warmed) return;
      warmed = true;
      setImmediate(() => spawner.warm());
    };
    const onSpawn = (pid: number) => {
      req.onSpawn?.(pid);
      warm();
    };
    return local.run({ ...req, onSpawn }).finally(warm);
  };
  return {
    kind: 'spawner',
    run,
    spawnerPid: () => spawner.spawnerPid(),
    // Runs in flight in-process are the worker's own (its drain waits for them); close ends the spawner's.
    close: () => spawner.close(),
    warm: () => spawner.warm(),
    counts: () => ({ ...counts }),
  };
}
