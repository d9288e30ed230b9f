import type { TaskRecord } from '@headless/core/task/record';
import type { BreakerStateName } from '@headless/core/policy/tool-breakers';

export interface RunningTask {
  id: string;
  tool: string;
  /** Absolute repo path; set when the tool writes the repository. */
  writesRepo?: string;
}

export interface SchedulerInput {
  queued: readonly TaskRecord[];
  running: readonly RunningTask[];
  now: number;
  globalLimit: number;
  toolLimit: (tool: string) => number;
  writesRepo: (tool: string) => boolean;
  /** Absolute repo of a task (validated at ingest). */
  repoOf: (rec: TaskRecord) => string;
  breaker: (tool: string) => BreakerStateName;
}

export interface SchedulerPlan {
  /** Tasks to claim now, in order. */
  start: TaskRecord[];
  /** Tasks whose tool's breaker is open: they wait in quarantine until it half-opens. */
  park: TaskRecord[];
  /** The earliest future `notBefore` among waiting tasks (ms), to set the next wake-up. */
  nextWakeAt?: number;
}

/** Orders the queue: higher priority first, then first queued first. */
export function queueOrder(a: TaskRecord, b: TaskRecord): number {
  return (
    b.spec.priority - a.spec.priority || a.enqueuedAt.localeCompare(b.enqueuedAt) || a.id.localeCompare(b.id)
  );
}

/**
 * Chooses what runs next under the global and per-tool limits, never two repo-writing tasks in one
 * repo, and at most one trial task of a tool whose breaker is half-open. Pure.
 *
 * The worker no longer calls it: it is the plain statement of the rules (scheduler.test.ts), and the
 * reference the worker's faster walk (plan-walk.ts `planOrdered`) is checked against, seed by seed.
 * Its loop body and planOrdered's are alike on purpose; a rule changes in both, or the property test fails.
 */
export function planNext(input: SchedulerInput): SchedulerPlan {
  const plan: SchedulerPlan = { start: [], park: [] };
  let total = input.running.length;
  const perTool = new Map<string, number>();
  const busyRepos = new Set<string>();
  for (const r of input.running) {
    perTool.set(r.tool, (perTool.get(r.tool) ?? 0) + 1);
    if (r.writesRepo) busyRepos.add(r.writesRepo);
  }
  for (const rec of [...input.queued].sort(queueOrder)) {
    const tool = rec.spec.tool;
    const due = rec.notBefore ? Date.parse(rec.notBefore) : 0;
    if (due > input.now) {
      plan.nextWakeAt = Math.min(plan.nextWakeAt ?? Infinity, due);
      continue;
    }
    const state = input.breaker(tool);
    if (state === 'open') {
      plan.park.push(rec);
      continue;
    }
    if (total >= input.globalLimit) continue;
    const running = perTool.get(tool) ?? 0;
    if (running >= input.toolLimit(tool)) continue;
    if (state === 'half-open' && running > 0) continue;
    const writes = input.writesRepo(tool);
    const repo = input.repoOf(rec);
    if (writes && busyRepos.has(repo)) continue;
    plan.start.push(rec);
    total++;
    perTool.set(tool, running + 1);
    if (writes) busyRepos.add(repo);
  }
  return plan;
}
