import type { TaskState } from '@headless/core/task/record';
import { taskAttention } from './attention.js';
import { money, shortDuration, wrappedTable } from './format.js';
import type { TaskSummary } from './task-summary.js';
import { compareText } from '@headless/core/text-order';

export interface TaskFilter {
  /** Stored states or shown ones (running, waiting, blocked, suspect, ...); any matches. */
  states?: readonly string[];
  tools?: readonly string[];
  /** Only tasks changed within this long. */
  sinceMs?: number;
  /** Every task, however old. */
  all?: boolean;
}

/** How long an ended task stays in the default table. */
export const DEFAULT_WINDOW_MS = 24 * 3600 * 1000;

const ACTIVE: readonly TaskState[] = ['queued', 'processing', 'quarantine'];

/** The state a person reads: running, waiting (a backoff, a reset time, `after`), blocked, suspect, ... */
export function shownState(t: TaskSummary, now: number): string {
  if (t.state === 'processing') return 'running';
  if (t.state === 'quarantine') return 'parked';
  if (t.state === 'queued') {
    if (t.notBefore && Date.parse(t.notBefore) > now) return 'waiting';
    return t.after.length ? 'waiting' : 'queued';
  }
  const kind = taskAttention(t);
  if (kind === 'blocked_on_input') return 'blocked';
  if (kind === 'dependency_failed') return 'dep-failed';
  if (kind === 'suspect') return 'suspect';
  if (t.state === 'failed' && (t.outcome === 'cancelled' || /^cancel/i.test(t.reason ?? '')))
    return 'cancelled';
  return t.state;
}

/**
 * The tasks the table shows. Default: what is queued, running, waiting or parked, and what ended in
 * the last 24 h; `all` drops the window, `sinceMs` replaces it. Pure.
 */
export function selectTasks(tasks: readonly TaskSummary[], f: TaskFilter, now: number): TaskSummary[] {
  const windowMs = f.all ? Infinity : (f.sinceMs ?? DEFAULT_WINDOW_MS);
  return tasks.filter((t) => {
    if (f.states?.length && !f.states.includes(t.state) && !f.states.includes(shownState(t, now)))
      return false;
    if (f.tools?.length && !f.tools.includes(t.tool)) return false;
    const active = ACTIVE.includes(t.state);
    if (active && f.sinceMs === undefined) return true;
    return now - Date.parse(t.updatedAt) <= windowMs;
  });
}

/** Running first, then what waits, then what ended (the newest last, next to the prompt). */
export function tableOrder(tasks: readonly TaskSummary[]): TaskSummary[] {
  const rank = (t: TaskSummary) => (t.state === 'processing' ? 0 : ACTIVE.includes(t.state) ? 1 : 2);
  return [...tasks].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (rank(a) === 2 ? compareText(a.updatedAt, b.updatedAt) : compareText(a.enqueuedAt, b.enqueuedAt)) ||
      compareText(a.id, b.id),
  );
}

/** The age or duration column: queued for how long, running for how long, or how long it ran. */
export function timeColumn(t: TaskSummary, now: number): string {
  if (t.state === 'processing') {
    const last = t.attemptList[t.attemptList.length - 1];
    return shortDuration(now - Date.parse(last?.startedAt ?? t.updatedAt));
  }
  if (ACTIVE.includes(t.state)) return `${shortDuration(now - Date.parse(t.enqueuedAt))} old`;
  return shortDuration(t.durationMs);
}

/** The last column: why it is where it is. Whole, wrapped by the table: never cut mid-hint. */
export function reasonColumn(t: TaskSummary, now: number): string {
  if (t.state === 'queued') {
    const parts: string[] = [];
    if (t.after.length) parts.push(`after ${t.after.join(', ')}`);
    if (t.notBefore && Date.parse(t.notBefore) > now) parts.push(`not before ${t.notBefore}`);
    if (t.reason) parts.push(t.reason);
    return parts.join('; ');
  }
  if (t.state === 'done') return t.suspect ?? '';
  return t.reason ?? '';
}

/** The pueue-style task table of `headless status`. Pure: `now` and `width` are given. */
export function renderTaskTable(tasks: readonly TaskSummary[], opts: { now: number; width: number }): string {
  if (tasks.length === 0) return 'no tasks to show (--all shows older ones)';
  const rows = tableOrder(tasks).map((t) => [
    t.id,
    shownState(t, opts.now),
    t.tool,
    t.branch ?? t.repo,
    String(t.attempts),
    timeColumn(t, opts.now),
    money(t.usage.costUsd, t.usage.costEstimated),
    reasonColumn(t, opts.now),
  ]);
  return wrappedTable(
    ['id', 'state', 'tool', 'repo/branch', 'att', 'time', 'cost', 'reason'],
    rows,
    opts.width,
  );
}
