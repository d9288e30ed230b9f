/** One line of logs/ledger.jsonl. The schema is documented in docs/ledger.md; `v` changes only on breaking edits. */
export type LedgerEvent =
  | 'task.queued'
  | 'task.rejected'
  | 'attempt.start'
  | 'attempt.end'
  | 'task.retry'
  | 'task.done'
  | 'task.failed'
  | 'task.quarantined'
  | 'task.released'
  | 'task.requeued'
  | 'task.cancelled'
  /** Recovery found the task's record unreadable (a torn write) and rebuilt or moved it aside. */
  | 'task.damaged'
  /** A finished record past `logs.retentionDays` left the store (`how`: deleted or archived). */
  | 'task.retired'
  | 'lock.repaired'
  | 'lock.kept'
  | 'breaker.reset'
  | 'worker.start'
  | 'worker.stop'
  /** Claiming stopped (low disk, writes failing) or started again; `reason` says why. */
  | 'worker.paused'
  | 'worker.resumed';

export interface LedgerRecord {
  v: 1;
  ts: string;
  event: LedgerEvent;
  task?: string;
  attempt?: number;
  tool?: string;
  repo?: string;
  /** Pid of the tool process (attempt.*) or of the worker (worker.*). */
  pid?: number;
  workerPid?: number;
  exitCode?: number | null;
  signal?: string | null;
  durationMs?: number;
  outcome?: string;
  class?: 'transient' | 'permanent';
  reason?: string;
  notBefore?: string;
  file?: string;
  line?: number;
  usage?: { inputTokens?: number; outputTokens?: number; costUsd?: number };
  sessionId?: string;
  [extra: string]: unknown;
}
