import type { Running } from './context.js';
import type { WorkerLogger } from './logger.js';

/** Lets running tasks finish within the grace period, then ends the rest; they go back to the queue. */
export async function drain(
  running: Map<string, Running>,
  graceMs: number,
  log: WorkerLogger,
): Promise<void> {
  if (running.size === 0) return;
  log.info(`stopping: waiting up to ${graceMs} ms for ${running.size} running task(s)`);
  const all = () => Promise.all([...running.values()].map((r) => r.done));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    all().then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), graceMs);
    }),
  ]);
  if (timer) clearTimeout(timer);
  if (timedOut) {
    for (const r of running.values()) {
      r.abortReason ??= 'stop';
      r.abort.abort();
    }
    await all();
  }
}
