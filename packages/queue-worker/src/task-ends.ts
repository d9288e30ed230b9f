import type { TaskRecord } from '@headless/core/task/record';
import { taskEndEvent } from '@headless/core/notify/task-events';
import type { WorkerContext } from './context.js';

/**
 * Tells the notifier a task ended (task.failed / task.attention) and, when it was the last task of
 * its inbox file, that the batch is done. Returns at once: notifications never hold up the worker.
 */
export function announceEnd(ctx: WorkerContext, rec: TaskRecord): void {
  if (rec.state !== 'done' && rec.state !== 'failed') return;
  const at = new Date(ctx.clock.now()).toISOString();
  const root = ctx.paths.root;
  const outcome = rec.result?.outcome ?? rec.history.at(-1)?.outcome;
  const ev = taskEndEvent(
    {
      id: rec.id,
      state: rec.state,
      tool: rec.spec.tool,
      ...(outcome ? { outcome } : {}),
      ...(rec.reason ? { reason: rec.reason } : {}),
      ...(rec.result?.suspect ? { suspect: rec.result.suspect } : {}),
    },
    { root, at },
  );
  if (ev) ctx.notifier.notify(ev);
  const batch = ctx.batches.ended(rec.id, rec.state, { root, at });
  if (batch) ctx.notifier.notify(batch);
}

/** A task cancelled while queued or parked ends without an attempt: its batch counts it as ended. */
export async function announceCancelled(ctx: WorkerContext, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    const got = await ctx.store.get(id).catch(() => undefined);
    if (got?.state === 'failed') announceEnd(ctx, got.record);
  }
}
