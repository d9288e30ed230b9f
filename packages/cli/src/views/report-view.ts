import { attentionList, type AttentionItem, type AttentionSources } from './attention.js';
import { money, shortDuration, shortSha, shortTime, tokens, wrappedTable } from './format.js';
import { shownState } from './task-table.js';
import { sumUsage, type TaskSummary } from './task-summary.js';
import { compareText } from '@headless/core/text-order';

export interface ReportTask {
  id: string;
  state: string;
  tool: string;
  repo: string;
  branch?: string;
  attempts: number;
  durationMs?: number;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
  reason?: string;
  /** `base..head` (short SHAs) of its worktree branch. */
  commits?: string;
  diffstat?: { files: number; insertions: number; deletions: number };
}

export interface ToolTotals {
  tasks: number;
  attempts: number;
  inputTokens: number;
  outputTokens: number;
  /** Summed over the tasks that reported a cost. */
  costUsd: number;
  /** Tasks of this tool with no cost reported (tokens only, or nothing). */
  costUnknown: number;
}

/** `headless report --json`. */
export interface Report {
  since: string;
  until: string;
  tasks: ReportTask[];
  totals: ToolTotals & { byState: Record<string, number>; byTool: Record<string, ToolTotals> };
  attention: AttentionItem[];
}

/** Whether a task did something in the window: an attempt started or ended there, or it ended there. */
export function ranInWindow(t: TaskSummary, sinceMs: number): boolean {
  const inWin = (iso: string | undefined) => iso !== undefined && Date.parse(iso) >= sinceMs;
  if (t.attemptList.some((a) => inWin(a.startedAt) || inWin(a.endedAt))) return true;
  return inWin(t.endedAt);
}

/** The morning report: every task that ran in the window, totals, and what needs a person. Pure. */
export function buildReport(
  tasks: readonly TaskSummary[],
  window: { sinceMs: number; now: number },
  sources: AttentionSources = {},
): Report {
  const ran = tasks
    .filter((t) => ranInWindow(t, window.sinceMs))
    .sort(
      (a, b) =>
        compareText(a.startedAt ?? a.updatedAt, b.startedAt ?? b.updatedAt) || compareText(a.id, b.id),
    );
  const rows = ran.map((t) => reportTask(t, window.now));
  const byTool: Record<string, ToolTotals> = {};
  const byState: Record<string, number> = {};
  for (const t of ran) {
    const tt = (byTool[t.tool] ??= {
      tasks: 0,
      attempts: 0,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      costUnknown: 0,
    });
    addTask(tt, t);
    const s = shownState(t, window.now);
    byState[s] = (byState[s] ?? 0) + 1;
  }
  const all: ToolTotals = {
    tasks: 0,
    attempts: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    costUnknown: 0,
  };
  for (const t of ran) addTask(all, t);
  return {
    since: new Date(window.sinceMs).toISOString(),
    until: new Date(window.now).toISOString(),
    tasks: rows,
    totals: { ...all, byState, byTool },
    attention: attentionList(ran, sources),
  };
}

function addTask(tt: ToolTotals, t: TaskSummary): void {
  const u = sumUsage([t.usage]);
  tt.tasks++;
  tt.attempts += t.attempts;
  tt.inputTokens += u.inputTokens ?? 0;
  tt.outputTokens += u.outputTokens ?? 0;
  if (u.costUsd === undefined) tt.costUnknown++;
  else tt.costUsd += u.costUsd;
}

function reportTask(t: TaskSummary, now: number): ReportTask {
  const state = shownState(t, now);
  const out: ReportTask = { id: t.id, state, tool: t.tool, repo: t.repo, attempts: t.attempts };
  if (t.branch) out.branch = t.branch;
  if (t.durationMs !== undefined) out.durationMs = t.durationMs;
  if (t.usage.inputTokens !== undefined) out.inputTokens = t.usage.inputTokens;
  if (t.usage.outputTokens !== undefined) out.outputTokens = t.usage.outputTokens;
  if (t.usage.costUsd !== undefined) out.costUsd = t.usage.costUsd;
  const reason = t.state === 'done' ? t.suspect : t.reason;
  if (reason) out.reason = reason;
  const w = t.worktree;
  if (w?.headSha && w.headSha !== w.baseSha) out.commits = `${shortSha(w.baseSha)}..${shortSha(w.headSha)}`;
  if (w?.diffstat) out.diffstat = w.diffstat;
  return out;
}

const diff = (d: ReportTask['diffstat']) => (d ? `${d.files}f +${d.insertions} -${d.deletions}` : '');

function totalsLine(r: Report): string {
  const t = r.totals;
  const states = Object.entries(t.byState)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  return `${plural(t.tasks, 'task')} (${states || 'none'}), ${plural(t.attempts, 'attempt')}, ${tokens(t.inputTokens)} tokens in, ${tokens(t.outputTokens)} out, ${costText(t)}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `$0.47 (+3 tasks without a cost)`; `-` when none reported one. */
function costText(t: ToolTotals): string {
  if (t.costUnknown === t.tasks) return 'cost -';
  const unknown = t.costUnknown ? ` (+${plural(t.costUnknown, 'task')} without a cost)` : '';
  return `${money(t.costUsd)}${unknown}`;
}

/** The report for a terminal. */
export function renderReportText(r: Report, width: number): string {
  const out = [`headless report ${shortTime(r.since)} → ${shortTime(r.until)} (UTC)`, '', totalsLine(r)];
  const tools = Object.entries(r.totals.byTool);
  if (tools.length > 1) {
    for (const [tool, t] of tools) {
      out.push(
        `  ${tool}: ${plural(t.tasks, 'task')}, ${plural(t.attempts, 'attempt')}, ${tokens(t.inputTokens + t.outputTokens)} tokens, ${costText(t)}`,
      );
    }
  }
  if (r.tasks.length) {
    out.push(
      '',
      wrappedTable(
        ['id', 'state', 'tool', 'repo/branch', 'took', 'cost', 'commits', 'diff', 'reason'],
        r.tasks.map((t) => [
          t.id,
          t.state,
          t.tool,
          t.branch ?? t.repo,
          shortDuration(t.durationMs),
          money(t.costUsd),
          t.commits ?? '',
          diff(t.diffstat),
          t.reason ?? '',
        ]),
        width,
      ),
    );
  }
  out.push('', r.attention.length ? `needs attention (${r.attention.length}):` : 'needs attention: nothing');
  for (const a of r.attention) out.push(`  ${a.id} (${a.kind}): ${a.why}`, `    → ${a.next}`);
  return out.join('\n');
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** The report as Markdown (for a note, an issue or a chat message). */
export function renderReportMarkdown(r: Report): string {
  const out = [`# headless report ${shortTime(r.since)} → ${shortTime(r.until)} UTC`, '', totalsLine(r), ''];
  if (r.tasks.length) {
    out.push(
      '| id | state | tool | repo/branch | took | cost | commits | diff | reason |',
      '|---|---|---|---|---|---|---|---|---|',
    );
    for (const t of r.tasks) {
      const cells = [
        t.id,
        t.state,
        t.tool,
        t.branch ?? t.repo,
        shortDuration(t.durationMs),
        money(t.costUsd),
        t.commits ? `\`${t.commits}\`` : '',
        diff(t.diffstat),
        t.reason ?? '',
      ];
      out.push(`| ${cells.map(mdCell).join(' | ')} |`);
    }
    out.push('');
  }
  out.push('## Needs attention', '');
  if (!r.attention.length) out.push('Nothing.');
  for (const a of r.attention)
    out.push(`- **${mdCell(a.id)}** (${a.kind}): ${mdCell(a.why)} — \`${a.next}\``);
  return `${out.join('\n')}\n`;
}
