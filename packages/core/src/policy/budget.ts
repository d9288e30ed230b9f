import type { BudgetSpec } from '../config/schema.js';

/**
 * Spend caps headless enforces across runs (`policies.budget` for all AI tools together,
 * `tools.<t>.budget` per tool, `max_cost_usd` per task). Periods are local calendar days and months
 * (what a user means by "today"). Pure: spend and the clock come in; the worker reads spend from
 * the ledger (`attempt.end` usage.costUsd) and parks the tool until the period ends.
 */

export type BudgetPeriod = 'day' | 'month';

/** The local calendar day or month that contains `now`: [start, end). DST days are 23 or 25 hours. */
export function periodOf(now: Date, period: BudgetPeriod): { start: Date; end: Date } {
  if (period === 'day') {
    const start = new Date(now.getFullYear(), now.getMonth(), now.getDate());
    return { start, end: new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1) };
  }
  return {
    start: new Date(now.getFullYear(), now.getMonth(), 1),
    end: new Date(now.getFullYear(), now.getMonth() + 1, 1),
  };
}

/** One attempt's spend as the ledger has it. */
export interface SpendEntry {
  /** ISO time the attempt ended. */
  at: string;
  tool: string;
  costUsd: number;
}

/** US dollars spent in [start, end), by `tool` or (undefined) by all tools. */
export function spentBetween(entries: Iterable<SpendEntry>, start: Date, end: Date, tool?: string): number {
  let sum = 0;
  for (const e of entries) {
    const t = Date.parse(e.at);
    if (t >= start.getTime() && t < end.getTime() && (tool === undefined || e.tool === tool))
      sum += e.costUsd;
  }
  return Math.round(sum * 1e6) / 1e6;
}

export type BudgetVerdict =
  | { over: false; /** What may still be spent (Infinity without caps). */ leftUsd: number }
  | { over: true; until: Date; reason: string };

export interface BudgetInput {
  now: Date;
  caps: BudgetSpec;
  spentToday: number;
  spentThisMonth: number;
  /** Who the cap is for, in the reason: undefined = all AI tools, else the tool's name. */
  tool?: string;
}

/**
 * Whether a new attempt may start under these caps. Over a cap: park until the period ends, with
 * the reason `budget: $20.00 of $20.00 spent today` (or `this month`). When both are spent the
 * month decides (it ends later).
 */
export function checkBudget(input: BudgetInput): BudgetVerdict {
  const { now, caps } = input;
  const who = input.tool === undefined ? '' : ` by ${input.tool}`;
  const month = caps.monthlyUsd;
  if (month !== null && input.spentThisMonth >= month) {
    return {
      over: true,
      until: periodOf(now, 'month').end,
      reason: `budget: ${usd(input.spentThisMonth)} of ${usd(month)} spent${who} this month`,
    };
  }
  const day = caps.dailyUsd;
  if (day !== null && input.spentToday >= day) {
    return {
      over: true,
      until: periodOf(now, 'day').end,
      reason: `budget: ${usd(input.spentToday)} of ${usd(day)} spent${who} today`,
    };
  }
  const left = Math.min(
    day === null ? Infinity : day - input.spentToday,
    month === null ? Infinity : month - input.spentThisMonth,
  );
  return { over: false, leftUsd: left };
}

/** A task's own cap: what is left of `max_cost_usd` after the attempts so far (Infinity without one). */
export function taskLeftUsd(maxCostUsd: number | undefined, spentByTask: number): number {
  return maxCostUsd === undefined ? Infinity : Math.max(0, maxCostUsd - spentByTask);
}

/**
 * claude's own per-process cap: `--max-budget-usd` set to what is left (the smallest of all caps),
 * rounded down to the cent so claude never spends past it. Nothing when no cap applies; an amount
 * under a cent means the attempt should not start at all (checkBudget says so first).
 */
export function claudeBudgetArgs(leftUsd: number): string[] {
  if (!Number.isFinite(leftUsd)) return [];
  const cents = Math.floor(leftUsd * 100 + 1e-9);
  return ['--max-budget-usd', (Math.max(cents, 1) / 100).toFixed(2)];
}

/** `$20.00`, and sub-cent amounts with their digits (`$0.0042`). */
export function usd(amount: number): string {
  if (amount !== 0 && Math.abs(amount) < 0.01) return `$${amount.toPrecision(2)}`;
  return `$${amount.toFixed(2)}`;
}

/** The status line: `spend today: $3.12 of $20.00` (or without a cap: `spend today: $3.12`). */
export function describeSpend(spentToday: number, caps: BudgetSpec): string {
  return `spend today: ${usd(spentToday)}${caps.dailyUsd === null ? '' : ` of ${usd(caps.dailyUsd)}`}`;
}
