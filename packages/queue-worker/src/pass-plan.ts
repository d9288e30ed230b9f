import type { TaskRecord } from '@headless/core/task/record';
import type { WorkerContext } from './context.js';
import { gateDependencies } from './dependency-gate.js';
import { planOrdered } from './plan-walk.js';
import type { QueueIndex } from './queue-index.js';
import type { SchedulerPlan } from './scheduler.js';
import { heldToolsOf } from './tool-gate.js';
import { writeTarget } from './workspace.js';

/**
 * One loop pass's plan, with work in proportion to what it can start rather than to the queue:
 * the tools held (parked, over budget) are checked once each, only tasks with an `after` list go
 * through the dependency gate, and the plan walks the ordered index until nothing more can start.
 * A tool or a dependent that appeared while the gates ran waits for the next pass, as it did when
 * the pass worked on a copy of the queue.
 */
export async function planPass(
  ctx: WorkerContext,
  queue: QueueIndex,
  now: number,
): Promise<{ plan: SchedulerPlan; held: ReadonlyMap<string, string> }> {
  const order = queue.ordered(now);
  const checked = new Set(queue.toolsOf(ctx.running));
  // Tasks of a parked tool (a limit, a login, a spent budget) wait in the queue: no attempt is spent.
  const held = await heldToolsOf(ctx, checked);
  const isHeld = (tool: string) => !checked.has(tool) || held.has(tool);
  // Tasks whose `after` does not hold yet are not candidates (and a broken one fails here).
  const dependents: TaskRecord[] = [];
  for (const rec of queue.withDependencies())
    if (!ctx.running.has(rec.id) && !isHeld(rec.spec.tool)) dependents.push(rec);
  const ready = new Set((await gateDependencies(ctx, dependents)).map((r) => r.id));
  const plan = planOrdered({
    ready: order.ready,
    waiting: order.waiting,
    readyPerTool: order.readyPerTool,
    held: isHeld,
    // A task that is finishing can already be back in the queue folder while its run winds down.
    excluded: (rec) =>
      ctx.running.has(rec.id) || isHeld(rec.spec.tool) || (rec.spec.after.length > 0 && !ready.has(rec.id)),
    running: [...ctx.running.values()].filter((r) => !r.slotFree),
    now,
    globalLimit: ctx.policies.worker.concurrency,
    toolLimit: (t) => ctx.tools.tools[t]?.concurrency ?? 1,
    writesRepo: (t) => ctx.tools.tools[t]?.writesRepo ?? true,
    // One writer per worktree: worktree tasks on one repo run side by side.
    repoOf: (rec) => writeTarget(ctx, rec),
    breaker: (t) => ctx.registry.breakers.view(t).state,
  });
  return { plan, held };
}
