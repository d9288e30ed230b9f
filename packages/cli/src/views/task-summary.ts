import type { LedgerRecord } from '@headless/core/ledger/record';
import type { TaskRecord, TaskState } from '@headless/core/task/record';
import type { TaskResult, TaskUsage, VerifyRound, WorktreeResult } from '@headless/core/task/result';

/** A task record, with its result once the worker stores one there. */
export type TaskRecordWithResult = TaskRecord & { result?: TaskResult };

export interface AttemptView {
  attempt: number;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  exitCode?: number | null;
  outcome?: string;
  reason?: string;
  usage?: TaskUsage;
  sessionId?: string;
}

/** One task as the CLI faces (status table, show, report) print it. */
export interface TaskSummary {
  id: string;
  state: TaskState;
  tool: string;
  repo: string;
  branch?: string;
  attempts: number;
  enqueuedAt: string;
  updatedAt: string;
  /** When its first attempt started (undefined: never started). */
  startedAt?: string;
  /** When it ended (done or failed). */
  endedAt?: string;
  notBefore?: string;
  durationMs?: number;
  outcome?: string;
  reason?: string;
  suspect?: string;
  usage: TaskUsage;
  sessionId?: string;
  finalMessage?: string;
  logPath?: string;
  worktree?: WorktreeResult;
  /** The quality gate's rounds of a task with `verify`, oldest first. */
  verify?: VerifyRound[];
  after: string[];
  attemptList: AttemptView[];
}

/**
 * Joins records and the ledger into one summary per task. The record's result wins where it has a
 * field; the ledger fills the rest (attempts, tokens, cost, session, suspect) for records written
 * before results were kept. Pure.
 */
export function summarizeTasks(
  records: readonly TaskRecordWithResult[],
  ledger: readonly LedgerRecord[],
): TaskSummary[] {
  const byTask = new Map<string, LedgerRecord[]>();
  for (const l of ledger) {
    if (!l.task) continue;
    const list = byTask.get(l.task) ?? [];
    list.push(l);
    byTask.set(l.task, list);
  }
  return records.map((rec) => summarize(rec, byTask.get(rec.id) ?? []));
}

function summarize(rec: TaskRecordWithResult, events: readonly LedgerRecord[]): TaskSummary {
  // A rerun archives the old record: only this record's events count.
  const mine = events.filter((e) => e.ts >= rec.enqueuedAt);
  const attemptList = attemptsOf(rec, mine);
  const r = rec.result ?? {};
  const usage = r.usage ?? sumUsage(attemptList.map((a) => a.usage));
  const durations = attemptList.map((a) => a.durationMs).filter((d): d is number => d !== undefined);
  const last = attemptList[attemptList.length - 1];
  const done = [...mine].reverse().find((e) => e.event === 'task.done');
  const failed = [...mine].reverse().find((e) => e.event === 'task.failed');
  const suspect =
    r.suspect ??
    (typeof done?.['suspect'] === 'string' ? done['suspect'] : undefined) ??
    (rec.state === 'done' ? done?.reason : undefined);
  const ended = rec.state === 'done' || rec.state === 'failed';
  const sessionId = r.sessionId ?? [...attemptList].reverse().find((a) => a.sessionId)?.sessionId;
  const outcome = r.outcome ?? failed?.outcome ?? last?.outcome;
  const out: TaskSummary = {
    id: rec.id,
    state: rec.state,
    tool: rec.spec.tool,
    repo: rec.spec.repo,
    attempts: rec.attempts,
    enqueuedAt: rec.enqueuedAt,
    updatedAt: rec.updatedAt,
    usage,
    after: rec.spec.after ?? [],
    attemptList,
  };
  const set = <K extends keyof TaskSummary>(k: K, v: TaskSummary[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('branch', r.worktree?.branch);
  set('startedAt', attemptList[0]?.startedAt);
  set('endedAt', ended ? rec.updatedAt : undefined);
  set('notBefore', rec.notBefore);
  set('durationMs', r.durationMs ?? (durations.length ? durations.reduce((a, b) => a + b, 0) : undefined));
  set('outcome', outcome);
  set('reason', rec.reason ?? failed?.reason ?? last?.reason);
  set('suspect', suspect);
  set('sessionId', sessionId);
  set('finalMessage', r.finalMessage);
  set('logPath', r.logPath);
  set('worktree', r.worktree);
  set('verify', r.verify);
  return out;
}

function attemptsOf(rec: TaskRecord, events: readonly LedgerRecord[]): AttemptView[] {
  const byNo = new Map<number, AttemptView>();
  for (const h of rec.history) {
    byNo.set(h.attempt, {
      attempt: h.attempt,
      startedAt: h.startedAt,
      ...(h.endedAt
        ? { endedAt: h.endedAt, durationMs: Date.parse(h.endedAt) - Date.parse(h.startedAt) }
        : {}),
      ...(h.exitCode !== undefined ? { exitCode: h.exitCode } : {}),
      ...(h.outcome ? { outcome: h.outcome } : {}),
      ...(h.reason ? { reason: h.reason } : {}),
    });
  }
  for (const e of events) {
    if (e.attempt === undefined || (e.event !== 'attempt.start' && e.event !== 'attempt.end')) continue;
    const a = byNo.get(e.attempt) ?? { attempt: e.attempt };
    if (e.event === 'attempt.start') a.startedAt ??= e.ts;
    else {
      a.endedAt = e.ts;
      if (e.durationMs !== undefined) a.durationMs = e.durationMs;
      if (e.exitCode !== undefined) a.exitCode = e.exitCode;
      if (e.outcome) a.outcome = e.outcome;
      if (e.reason) a.reason = e.reason;
      if (e.usage) a.usage = e.usage;
      if (e.sessionId) a.sessionId = e.sessionId;
    }
    byNo.set(e.attempt, a);
  }
  return [...byNo.values()].sort((x, y) => x.attempt - y.attempt);
}

/** Sums usage; a cost stays undefined unless some attempt reported one (never a made-up $0). */
export function sumUsage(list: readonly (TaskUsage | undefined)[]): TaskUsage {
  const out: TaskUsage = {};
  for (const u of list) {
    if (!u) continue;
    if (u.inputTokens !== undefined) out.inputTokens = (out.inputTokens ?? 0) + u.inputTokens;
    if (u.outputTokens !== undefined) out.outputTokens = (out.outputTokens ?? 0) + u.outputTokens;
    if (u.costUsd !== undefined) out.costUsd = (out.costUsd ?? 0) + u.costUsd;
    if (u.costEstimated) out.costEstimated = true;
  }
  return out;
}
