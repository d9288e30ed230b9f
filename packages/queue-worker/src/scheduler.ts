import type { TaskRecord } from '@headless/core/task/record';
import type { BreakerStateName } from '@headless/core/policy/tool-breakers';
import { compareText } from '@headless/core/text-order';

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
    b.spec.priority - a.spec.priority || compareText(a.enqueuedAt, b.enqueuedAt) || compareText(a.id, b.id)
  );
}

/** What the slot rules need of a pass's input. */
export type SlotRules = Pick<
  SchedulerInput,
  'running' | 'now' | 'globalLimit' | 'toolLimit' | 'writesRepo' | 'repoOf'
>;

/**
 * The slots of one pass: the rules every plan applies to a due task in queue order (planNext here,
 * planOrdered in plan-walk.ts), so both plans are made by this one piece of code.
 * - not due yet: sets the next wake-up;
 * - its tool's breaker open: parked;
 * - the global or the tool's limit reached, or a half-open tool's one trial running: left queued;
 * - a repo-writing tool whose repo is being written: left queued;
 * - otherwise started, and counted.
 */
export class PassSlots {
  private total: number;
  private readonly perTool = new Map<string, number>();
  private readonly busyRepos = new Set<string>();

  constructor(private readonly rules: SlotRules) {
    this.total = rules.running.length;
    for (const r of rules.running) {
      this.perTool.set(r.tool, (this.perTool.get(r.tool) ?? 0) + 1);
      if (r.writesRepo) this.busyRepos.add(r.writesRepo);
    }
  }

  /** Whether a task of this tool could start now, by the limits and the half-open trial (not its repo). */
  toolCanStart(tool: string, state: BreakerStateName): boolean {
    const running = this.perTool.get(tool) ?? 0;
    if (this.total >= this.rules.globalLimit || running >= this.rules.toolLimit(tool)) return false;
    return !(state === 'half-open' && running > 0);
  }

  /** Applies the rules to one task (in queue order) and notes the result in `plan`; true when it starts. */
  admit(rec: TaskRecord, state: () => BreakerStateName, plan: SchedulerPlan): boolean {
    const due = rec.notBefore ? Date.parse(rec.notBefore) : 0;
    if (due > this.rules.now) {
      plan.nextWakeAt = Math.min(plan.nextWakeAt ?? Infinity, due);
      return false;
    }
    const tool = rec.spec.tool;
    const s = state();
    if (s === 'open') {
      plan.park.push(rec);
      return false;
    }
    if (!this.toolCanStart(tool, s)) return false;
    const writes = this.rules.writesRepo(tool);
    const repo = this.rules.repoOf(rec);
    if (writes && this.busyRepos.has(repo)) return false;
    plan.start.push(rec);
    this.total++;
    this.perTool.set(tool, (this.perTool.get(tool) ?? 0) + 1);
    if (writes) this.busyRepos.add(repo);
    return true;
  }
}

/**
 * Chooses what runs next under the global and per-tool limits, never two repo-writing tasks in one
 * repo, and at most one trial task of a tool whose breaker is half-open (PassSlots). Pure.
 *
 * The worker no longer calls it: it sorts and visits the whole queue, where the worker's walk
 * (plan-walk.ts `planOrdered`) keeps the queue ordered and stops once nothing more can start. It is
 * the reference that walk is checked against, seed by seed (plan-walk.test.ts).
 */
export function planNext(input: SchedulerInput): SchedulerPlan {
  const plan: SchedulerPlan = { start: [], park: [] };
  const slots = new PassSlots(input);
  for (const rec of [...input.queued].sort(queueOrder))
    slots.admit(rec, () => input.breaker(rec.spec.tool), plan);
  return plan;
}
