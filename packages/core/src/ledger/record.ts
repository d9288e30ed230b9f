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
  /** The attempt needs a person (not logged in, a question, a suspect result): held in quarantine. */
  | 'task.attention'
  /** A tool is parked (usage or rate limit, needs login, budget spent) or released again. */
  | 'tool.parked'
  | 'tool.released'
  /** Recovery found the task's record unreadable (a torn write) and rebuilt or moved it aside. */
  | 'task.damaged'
  /** A finished record past `logs.retentionDays` left the store (`how`: deleted or archived). */
  | 'task.retired'
  | 'lock.repaired'
  | 'lock.kept'
  /** A tool's breaker opened (from closed; a failed half-open trial re-opening it writes none). */
  | 'breaker.opened'
  | 'breaker.reset'
  | 'worker.start'
  | 'worker.stop'
  /** Claiming stopped (low disk, writes failing) or started again; `reason` says why. */
  | 'worker.paused'
  | 'worker.resumed'
  /** A changed config/ file was applied to new attempts, or refused (the running config stays). */
  | 'config.reloaded'
  | 'config.refused';

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
