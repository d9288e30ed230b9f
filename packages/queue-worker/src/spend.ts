import { readLedger } from '@headless/core/ledger/ledger';
import type { LedgerRecord } from '@headless/core/ledger/record';
import type { ToolsConfig, PoliciesConfig } from '@headless/core/config/schema';
import {
  checkBudget,
  periodOf,
  spentBetween,
  taskLeftUsd,
  type BudgetVerdict,
  type SpendEntry,
} from '@headless/core/policy/budget';
import { localDay, type SpendSummary } from '@headless/core/run-state/spend-file';

/**
 * What has been spent (US dollars), read once from the ledger's `attempt.end` lines (their
 * `usage.costUsd`) and kept up to date as attempts end. The budget gate asks it before every claim.
 */
export class SpendBook {
  private entries: (SpendEntry & { task?: string })[] = [];

  constructor(
    private readonly tools: ToolsConfig,
    private readonly policies: PoliciesConfig,
  ) {}

  /** Reads this month's spend from the ledger (older lines cannot count against any cap). */
  async load(ledgerFile: string, now: Date): Promise<void> {
    const since = periodOf(now, 'month').start.getTime();
    const { records } = await readLedger(ledgerFile, (r) => r.event === 'attempt.end' && costOf(r) > 0);
    this.entries = records
      .filter((r) => Date.parse(r.ts) >= since)
      .map((r) => ({
        at: r.ts,
        tool: r.tool ?? '',
        costUsd: costOf(r),
        ...(r.task ? { task: r.task } : {}),
      }));
  }

  /** Counts one attempt's spend; false when it cost nothing. */
  add(at: Date, tool: string, costUsd: number | undefined, task: string): boolean {
    if (costUsd === undefined || !(costUsd > 0)) return false;
    this.entries.push({ at: at.toISOString(), tool, costUsd, task });
    return true;
  }

  spentToday(now: Date, tool?: string): number {
    const day = periodOf(now, 'day');
    return spentBetween(this.entries, day.start, day.end, tool);
  }

  /** The figures `headless status` shows (written to `.tasks/run/spend.json`). */
  summary(now: Date): SpendSummary {
    const day = periodOf(now, 'day');
    const month = periodOf(now, 'month');
    const byToolToday: Record<string, number> = {};
    for (const e of this.entries) {
      const t = Date.parse(e.at);
      if (t >= day.start.getTime() && t < day.end.getTime())
        byToolToday[e.tool] = Math.round(((byToolToday[e.tool] ?? 0) + e.costUsd) * 1e6) / 1e6;
    }
    return {
      day: localDay(now),
      todayUsd: spentBetween(this.entries, day.start, day.end),
      monthUsd: spentBetween(this.entries, month.start, month.end),
      byToolToday,
      updatedAt: now.toISOString(),
    };
  }

  spentByTask(task: string): number {
    return this.entries.filter((e) => e.task === task).reduce((s, e) => s + e.costUsd, 0);
  }

  /**
   * Whether an attempt of `tool` may start now: the caps of all AI tools together
   * (`policies.budget`) first, then the tool's own (`tools.<t>.budget`). Not over: what is left.
   */
  verdict(tool: string, now: Date): BudgetVerdict {
    const day = periodOf(now, 'day');
    const month = periodOf(now, 'month');
    const all = checkBudget({
      now,
      caps: this.policies.budget,
      spentToday: spentBetween(this.entries, day.start, day.end),
      spentThisMonth: spentBetween(this.entries, month.start, month.end),
    });
    if (all.over) return all;
    const caps = this.tools.tools[tool]?.budget;
    if (!caps) return all;
    const own = checkBudget({
      now,
      caps,
      spentToday: spentBetween(this.entries, day.start, day.end, tool),
      spentThisMonth: spentBetween(this.entries, month.start, month.end, tool),
      tool,
    });
    if (own.over) return own;
    return { over: false, leftUsd: Math.min(all.leftUsd, own.leftUsd) };
  }

  /** What one attempt of the task may spend: the smallest of what the caps and its `max_cost_usd` leave. */
  leftFor(tool: string, task: string, maxCostUsd: number | undefined, now: Date): number {
    const v = this.verdict(tool, now);
    const caps = v.over ? 0 : v.leftUsd;
    return Math.min(caps, taskLeftUsd(maxCostUsd, this.spentByTask(task)));
  }
}

function costOf(r: LedgerRecord): number {
  const c = r.usage?.costUsd;
  return typeof c === 'number' && Number.isFinite(c) ? c : 0;
}
