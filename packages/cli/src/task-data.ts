import fs from 'node:fs/promises';
import { readLedger, type LedgerReadResult } from '@headless/core/ledger/ledger';
import { breakersFile } from '@headless/core/policy/breaker-registry';
import { ToolBreakers, type BreakersSnapshot, type BreakerView } from '@headless/core/policy/tool-breakers';
import { TASK_STATES } from '@headless/core/task/record';
import type { CliContext } from './context.js';
import { summarizeTasks, type TaskRecordWithResult, type TaskSummary } from './views/task-summary.js';

/** Every task record of the store (all states) joined with the ledger: what show, report and the task table read. */
export async function loadTaskSummaries(
  ctx: CliContext,
  onlyTask?: string,
): Promise<{ tasks: TaskSummary[]; skipped: LedgerReadResult['skipped'] }> {
  const lists = await Promise.all(TASK_STATES.map((s) => ctx.store.list(s)));
  let records = lists.flat() as TaskRecordWithResult[];
  if (onlyTask !== undefined) records = records.filter((r) => r.id === onlyTask);
  const { records: ledger, skipped } = await readLedger(
    ctx.paths.ledger,
    onlyTask !== undefined ? (r) => r.task === onlyTask : undefined,
  );
  return { tasks: summarizeTasks(records, ledger), skipped };
}

/** Open or half-open breakers, from the worker's breakers.json (absent: none). */
export async function breakerViews(ctx: CliContext): Promise<Record<string, BreakerView>> {
  // Damaged: shown as no breaker (the worker says so in its log and starts them closed).
  const snap: BreakersSnapshot = await breakersFile(ctx.paths.breakers)
    .readOrDefault({})
    .catch(() => ({}));
  const b = new ToolBreakers(ctx.config.policies.breaker, { initial: snap });
  const out: Record<string, BreakerView> = {};
  for (const t of b.tools()) out[t] = b.view(t);
  return out;
}

/** The last `n` lines of a file (reads at most its last 256 KB); none when it does not exist. */
export async function tailLines(file: string, n: number): Promise<string[]> {
  let fh;
  try {
    fh = await fs.open(file, 'r');
  } catch {
    return [];
  }
  try {
    const { size } = await fh.stat();
    const len = Math.min(size, 256 * 1024);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, size - len);
    const lines = buf.toString('utf8').split(/\r?\n/);
    if (lines[lines.length - 1] === '') lines.pop();
    // The first line may be cut by the 256 KB window: drop it unless the whole file was read.
    if (len < size) lines.shift();
    return lines.slice(-n);
  } finally {
    await fh.close();
  }
}

/** Terminal width for the tables (pipes get 120, so output is stable in files). */
export function outputWidth(): number {
  return process.stdout.isTTY && process.stdout.columns ? process.stdout.columns : 120;
}
