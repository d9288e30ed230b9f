import { dependencyStatus, type DependencyView } from '@headless/core/task/dependencies';
import type { TaskRecord } from '@headless/core/task/record';
import { count, type WorkerContext } from './context.js';
import { announceEnd } from './task-ends.js';

/**
 * The `after` rule at claim time: of the queued tasks, those whose dependencies are all done may
 * start; one whose dependency failed, was cancelled or vanished fails at once as
 * `dependency_failed` (never started), and the rest keep waiting. A chain fails link by link: the
 * next dependent sees this one failed on the next turn (the failure wakes the loop).
 */
export async function gateDependencies(
  ctx: WorkerContext,
  queued: readonly TaskRecord[],
): Promise<TaskRecord[]> {
  const views = new Map<string, DependencyView | undefined>();
  const view = async (id: string) => {
    if (!views.has(id)) {
      const got = await ctx.store.get(id);
      views.set(
        id,
        got ? { state: got.state, ...(got.record.reason ? { reason: got.record.reason } : {}) } : undefined,
      );
    }
    return views.get(id);
  };
  const ready: TaskRecord[] = [];
  let failedAny = false;
  for (const rec of queued) {
    const after = rec.spec.after;
    if (!after.length) {
      ready.push(rec);
      continue;
    }
    for (const id of after) await view(id);
    const status = dependencyStatus(after, (id) => views.get(id));
    if (status.kind === 'ready') ready.push(rec);
    if (status.kind !== 'dependency_failed') continue;
    try {
      const ended = await ctx.transitions.failDependency(rec.id, status.on, status.reason);
      views.set(rec.id, { state: 'failed', reason: status.reason });
      failedAny = true;
      count(ctx, 'failed');
      ctx.log.info(`task ${rec.id}: ${status.reason}`, { taskId: rec.id });
      announceEnd(ctx, ended);
    } catch (err) {
      // Moved meanwhile (cancelled, retried): the next turn sees it as it is now.
      ctx.log.debug(`task ${rec.id}: dependency check skipped: ${String(err)}`);
    }
  }
  if (failedAny) ctx.waker.wake();
  return ready;
}
