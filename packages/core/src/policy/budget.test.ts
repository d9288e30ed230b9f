import { describe, expect, it } from '@jest/globals';
import {
  checkBudget,
  claudeBudgetArgs,
  describeSpend,
  periodOf,
  spentBetween,
  taskLeftUsd,
  usd,
} from './budget.js';

const caps = { dailyUsd: 20, monthlyUsd: 100 };
// Local times: the periods are the user's calendar, not UTC.
const now = new Date(2026, 11, 15, 14, 30);

describe('budget periods', () => {
  it('is the local calendar day and month', () => {
    expect(periodOf(now, 'day')).toEqual({ start: new Date(2026, 11, 15), end: new Date(2026, 11, 16) });
    expect(periodOf(now, 'month')).toEqual({ start: new Date(2026, 11, 1), end: new Date(2027, 0, 1) });
    expect(periodOf(new Date(2026, 1, 28, 23, 59), 'day').end).toEqual(new Date(2026, 2, 1));
  });

  it('sums spend inside a period, per tool or for all', () => {
    const entries = [
      { at: new Date(2026, 11, 14, 23, 59).toISOString(), tool: 'claude', costUsd: 5 },
      { at: new Date(2026, 11, 15, 0, 0).toISOString(), tool: 'claude', costUsd: 0.4 },
      { at: new Date(2026, 11, 15, 9, 0).toISOString(), tool: 'codex', costUsd: 0.1 },
    ];
    const { start, end } = periodOf(now, 'day');
    expect(spentBetween(entries, start, end)).toBe(0.5);
    expect(spentBetween(entries, start, end, 'claude')).toBe(0.4);
  });
});

describe('checkBudget', () => {
  it('parks until local midnight with the reason the user reads', () => {
    const v = checkBudget({ now, caps, spentToday: 20, spentThisMonth: 40 });
    expect(v).toEqual({
      over: true,
      until: new Date(2026, 11, 16),
      reason: 'budget: $20.00 of $20.00 spent today',
    });
  });

  it('parks until the month ends when the monthly cap is spent, naming the tool', () => {
    const v = checkBudget({ now, caps, spentToday: 25, spentThisMonth: 100.5, tool: 'claude' });
    expect(v).toEqual({
      over: true,
      until: new Date(2027, 0, 1),
      reason: 'budget: $100.50 of $100.00 spent by claude this month',
    });
  });

  it('says what is left under the tighter cap, and the next day starts fresh', () => {
    expect(checkBudget({ now, caps, spentToday: 12.5, spentThisMonth: 95 })).toEqual({
      over: false,
      leftUsd: 5,
    });
    expect(
      checkBudget({ now, caps: { dailyUsd: null, monthlyUsd: null }, spentToday: 1e6, spentThisMonth: 1e6 }),
    ).toEqual({
      over: false,
      leftUsd: Infinity,
    });
    // A $1.00 day at $0.40 a run: three runs start (0, 0.4, 0.8 spent), the fourth waits for tomorrow.
    const starts = [0, 0.4, 0.8, 1.2].map(
      (spent) =>
        checkBudget({
          now,
          caps: { dailyUsd: 1, monthlyUsd: null },
          spentToday: spent,
          spentThisMonth: spent,
        }).over,
    );
    expect(starts).toEqual([false, false, false, true]);
    const tomorrow = new Date(2026, 11, 16, 0, 0, 1);
    expect(checkBudget({ now: tomorrow, caps, spentToday: 0, spentThisMonth: 1.2 }).over).toBe(false);
  });
});

describe('caps per attempt', () => {
  it('gives claude --max-budget-usd with what is left, rounded down to the cent', () => {
    expect(claudeBudgetArgs(Infinity)).toEqual([]);
    expect(claudeBudgetArgs(5)).toEqual(['--max-budget-usd', '5.00']);
    expect(claudeBudgetArgs(0.609)).toEqual(['--max-budget-usd', '0.60']);
    expect(claudeBudgetArgs(0.004)).toEqual(['--max-budget-usd', '0.01']);
    expect(taskLeftUsd(undefined, 3)).toBe(Infinity);
    expect(taskLeftUsd(2, 0.5)).toBe(1.5);
    expect(taskLeftUsd(2, 3)).toBe(0);
  });

  it('formats money for status lines', () => {
    expect(usd(3.125)).toBe('$3.13');
    expect(usd(0.0042)).toBe('$0.0042');
    expect(describeSpend(3.12, caps)).toBe('spend today: $3.12 of $20.00');
    expect(describeSpend(3.12, { dailyUsd: null, monthlyUsd: null })).toBe('spend today: $3.12');
  });
});
