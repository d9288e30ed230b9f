import { batchesFile, type Batches } from '@headless/core/run-state/batches-file';
import { BatchTracker } from '@headless/core/notify/task-events';
import type { WorkerContext } from './context.js';
import type { WorkerLogger } from './logger.js';

/**
 * The worker's batch tracker, kept in `.tasks/run/batches.json`. Best effort, like the notification
 * itself: no fsync, and written a moment after the tasks are queued, so a power cut or a kill in
 * that moment can lose a batch.done (never a task). Writes are coalesced: while one is on its way,
 * later changes wait and the newest goes out.
 */
export function persistentBatches(
  file: string,
  log: WorkerLogger,
): BatchTracker & { flushed(): Promise<void> } {
  const f = batchesFile(file);
  let next: Batches | undefined;
  let writing: Promise<void> | undefined;
  const drain = async (): Promise<void> => {
    while (next !== undefined) {
      const value = next;
      next = undefined;
      await f
        .write(value, { fsync: false })
        .catch((err: unknown) =>
          log.warn(`could not save ${file}: ${String(err)}; a restart may miss a batch.done`),
        );
    }
    writing = undefined;
  };
  const tracker = new BatchTracker((open) => {
    next = open;
    writing ??= drain();
  });
  return Object.assign(tracker, { flushed: async () => void (await writing) });
}

/**
 * After a restart: the batches still open when the worker stopped are followed again. Each id's
 * state comes from the store; a task that ended while no worker ran (or whose end was not yet
 * announced) counts as ended, one whose record is gone (retired, archived) too.
 */
export async function restoreBatches(
  ctx: Pick<WorkerContext, 'batches' | 'store' | 'notifier' | 'clock' | 'paths' | 'log'>,
): Promise<void> {
  await restore(ctx).catch((err: unknown) => ctx.log.warn(`could not restore open batches: ${String(err)}`));
}

async function restore(
  ctx: Pick<WorkerContext, 'batches' | 'store' | 'notifier' | 'clock' | 'paths' | 'log'>,
): Promise<void> {
  const saved = await batchesFile(ctx.paths.batches).readOrDefault({}, (err) =>
    ctx.log.warn(`${err.message}; batches open before the restart send no batch.done`),
  );
  for (const [file, { ids }] of Object.entries(saved)) {
    ctx.batches.add(file, ids);
    for (const id of ids) {
      const got = await ctx.store.get(id).catch(() => undefined);
      const state = got === undefined ? 'gone' : got.state;
      if (state !== 'done' && state !== 'failed' && state !== 'gone') continue;
      const at = new Date(ctx.clock.now()).toISOString();
      const done = ctx.batches.ended(id, state, { root: ctx.paths.root, at });
      if (done) ctx.notifier.notify(done);
    }
  }
}
