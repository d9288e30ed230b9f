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
  let dirty = false;
  let writing: Promise<void> | undefined;
  const drain = async (): Promise<void> => {
    while (dirty) {
      dirty = false;
      const value: Batches = tracker.snapshot();
      await f
        .write(value, { fsync: false })
        .catch((err: unknown) =>
          log.warn(`could not save ${file}: ${String(err)}; a restart may miss a batch.done`),
        );
    }
    writing = undefined;
  };
  const tracker = new BatchTracker(() => {
    dirty = true;
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
  const batches = Object.entries(saved);
  if (batches.length === 0) return;
  // Two listings instead of a record read per id: a restart in a 20,000-task batch stays cheap.
  const done = new Set(await ctx.store.ids('done'));
  const failed = new Set(await ctx.store.ids('failed'));
  const stateOf = async (id: string): Promise<string | undefined> => {
    if (done.has(id)) return 'done';
    if (failed.has(id)) return 'failed';
    return (await ctx.store.lookup(id).catch(() => null)) === undefined ? 'gone' : undefined;
  };
  for (const [file, { ids }] of batches) {
    ctx.batches.add(file, ids);
    for (const id of ids) {
      const state = await stateOf(id);
      if (state === undefined) continue;
      const at = new Date(ctx.clock.now()).toISOString();
      const done = ctx.batches.ended(id, state, { root: ctx.paths.root, at });
      if (done) ctx.notifier.notify(done);
    }
  }
}
