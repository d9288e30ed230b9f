import type { TaskRecord } from '@headless/core/task/record';
import type { BreakerStateName } from '@headless/core/policy/tool-breakers';
import { PassSlots, type SchedulerInput, type SchedulerPlan } from './scheduler.js';
import type { WaitingTask } from './queue-order.js';

export interface OrderedPlanInput extends Omit<SchedulerInput, 'queued'> {
  /** The tasks due, already in `queueOrder` (queue-order.ts), some of them excluded below. */
  ready: readonly TaskRecord[];
  /** The tasks not due yet, earliest first. */
  waiting: readonly WaitingTask[];
  /** How many of `ready` each tool has (excluded ones too). */
  readyPerTool: ReadonlyMap<string, number>;
  /** A tool none of whose tasks is a candidate this turn (parked, over budget). */
  held: (tool: string) => boolean;
  /** Not a candidate this turn: running, its tool held, its `after` not done. */
  excluded: (rec: TaskRecord) => boolean;
}

/**
 * The same plan as `planNext` over the candidates (its property test says so), without sorting or
 * visiting the whole queue: it walks the ready tasks in order and stops as soon as no tool that
 * still has tasks ahead can start one (global or tool limit reached, a half-open trial running,
 * held) or has any to park (breaker open). The next wake-up is the first waiting candidate's due
 * time. Pure.
 */
export function planOrdered(input: OrderedPlanInput): SchedulerPlan {
  const plan: SchedulerPlan = { start: [], park: [] };
  const slots = new PassSlots(input);
  const states = new Map<string, BreakerStateName>();
  const stateOf = (tool: string): BreakerStateName => {
    let s = states.get(tool);
    if (s === undefined) states.set(tool, (s = input.breaker(tool)));
    return s;
  };
  // Whether a task of this tool could still be started or parked in this pass (monotonic: once no, no).
  const open = (tool: string): boolean => {
    if (input.held(tool)) return false;
    const state = stateOf(tool);
    return state === 'open' || slots.toolCanStart(tool, state);
  };
  const left = new Map(input.readyPerTool);
  const anyLeft = (): boolean => {
    for (const [tool, n] of left) if (n > 0 && open(tool)) return true;
    return false;
  };
  let check = true;
  for (const rec of input.ready) {
    if (check && !anyLeft()) break;
    check = false;
    const tool = rec.spec.tool;
    const n = (left.get(tool) ?? 1) - 1;
    left.set(tool, n);
    if (n <= 0) check = true;
    if (input.excluded(rec)) continue;
    if (slots.admit(rec, () => stateOf(tool), plan)) check = true;
  }
  for (const w of input.waiting) {
    if (!(w.due > input.now) || input.excluded(w.rec)) continue;
    plan.nextWakeAt = Math.min(plan.nextWakeAt ?? Infinity, w.due);
    break;
  }
  return plan;
}
