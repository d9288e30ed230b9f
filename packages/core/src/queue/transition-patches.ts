import type { AttemptSummary, JournalEntry, TaskRecord, TaskState } from '../task/record.js';
import type { EnqueueItem } from './store.js';
import type { AttemptEnd, LedgerLine } from './transitions.js';

/** The record patches and ledger lines of the attempt-end transitions (pure). */

const HISTORY_KEPT = 10;

export function required(id: string): (rec: TaskRecord | null) => TaskRecord {
  return (rec) => {
    if (!rec) throw new Error(`task ${id}: the store returned no record for a move`);
    return rec;
  };
}

export function endState(end: AttemptEnd): TaskState {
  switch (end.to) {
    case 'done':
      return 'done';
    case 'failed':
    case 'cancelled':
      return 'failed';
    case 'retry':
    case 'requeued':
      return 'queued';
    case 'parked':
    case 'attention':
      return 'quarantine';
  }
}

export function taskLine(id: string, attempt: number, end: AttemptEnd): LedgerLine {
  switch (end.to) {
    case 'done':
      return { event: 'task.done', task: id, attempt, ...(end.note ? { reason: end.note } : {}) };
    case 'retry':
      return {
        event: 'task.retry',
        task: id,
        attempt,
        notBefore: end.notBefore.toISOString(),
        reason: end.ledgerReason ?? end.reason,
        ...(end.delayMs !== undefined ? { delayMs: end.delayMs } : {}),
      };
    case 'failed':
      return { event: 'task.failed', task: id, attempt, reason: end.reason, outcome: end.outcome };
    case 'cancelled':
      return { event: 'task.cancelled', task: id, attempt, reason: end.reason };
    case 'requeued':
      return { event: 'task.requeued', task: id, attempt, reason: end.reason };
    case 'parked':
      return { event: 'task.quarantined', task: id, attempt, reason: end.reason };
    case 'attention':
      return { event: 'task.attention', task: id, attempt, reason: end.reason, outcome: end.outcome };
  }
}

export function applyEnd(rec: TaskRecord, end: AttemptEnd): TaskRecord {
  const { reason: _old, notBefore: _nb, ...base } = rec;
  switch (end.to) {
    case 'done':
      return base;
    case 'retry':
      return { ...base, notBefore: end.notBefore.toISOString(), reason: end.reason };
    case 'failed':
    case 'cancelled':
      return { ...base, reason: end.reason };
    case 'requeued':
      return {
        ...base,
        attempts: Math.max(0, rec.attempts - 1),
        notBefore: end.notBefore.toISOString(),
        reason: end.reason,
      };
    case 'parked':
      return {
        ...base,
        attempts: Math.max(0, rec.attempts - 1),
        reason: end.reason,
        quarantineKind: end.kind,
      };
    case 'attention':
      return { ...base, reason: end.reason, quarantineKind: 'attention' };
  }
}

export function dropClaim(rec: TaskRecord): TaskRecord {
  const { claim: _claim, ...rest } = rec;
  return rest;
}

export function withAttempt(rec: TaskRecord, attempt: AttemptSummary): TaskRecord {
  const history = [...rec.history.filter((a) => a.attempt !== attempt.attempt), attempt].slice(-HISTORY_KEPT);
  return { ...rec, history };
}

/** A new task's record as `enqueue` stores it, its `task.queued` line already in its journal. */
export function newRecord({ spec, source }: EnqueueItem, now: string): TaskRecord {
  const line: LedgerLine = {
    event: 'task.queued',
    task: spec.id,
    tool: spec.tool,
    repo: spec.repo,
    ...(source ? { file: source.file, line: source.line } : {}),
  };
  return {
    id: spec.id,
    spec,
    state: 'queued',
    attempts: 0,
    crashes: 0,
    ...(spec.not_before ? { notBefore: new Date(spec.not_before).toISOString() } : {}),
    enqueuedAt: now,
    updatedAt: now,
    rev: 1,
    ...(source ? { source } : {}),
    history: [],
    journal: [{ ...line, rev: 1, ts: now } as JournalEntry],
  };
}
