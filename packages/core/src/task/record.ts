import type { TaskSpec } from './schema.js';
import type { TaskResult } from './result.js';

/** The states of a task. Moves between them are defined once, in state-machine.ts. */
export const TASK_STATES = ['queued', 'processing', 'done', 'failed', 'quarantine'] as const;
export type TaskState = (typeof TASK_STATES)[number];

export type Outcome =
  | 'success'
  | 'transient'
  | 'permanent'
  | 'timeout'
  | 'stalled'
  | 'not-found'
  | 'interrupted'
  | 'cancelled'
  | 'breaker-open'
  | 'poison'
  | 'auth'
  | 'blocked_on_input'
  | 'suspect'
  | 'budget';

export interface AttemptSummary {
  attempt: number;
  startedAt: string;
  endedAt?: string;
  outcome?: Outcome;
  reason?: string;
  exitCode?: number | null;
  /** A usage or rate limit ended it (the tool was parked; the attempt was not counted). */
  limit?: 'usage' | 'rate';
  /** The agent session it ran in (claude/gemini: chosen before it; codex: read from its stream). */
  sessionId?: string;
  /** It tried to resume a session the tool did not have: the next attempt starts a new one. */
  sessionNotFound?: boolean;
}

/** The durable record of one task: what the store keeps, one per task. */
export interface TaskRecord {
  id: string;
  spec: TaskSpec;
  state: TaskState;
  /** Attempts started so far (persisted before the tool starts, so a crash counts). */
  attempts: number;
  /** Attempts that were running when their worker died. */
  crashes: number;
  /** ISO time before which the task is not claimed (retry backoff, usage-limit reset, user's not_before). */
  notBefore?: string;
  enqueuedAt: string;
  updatedAt: string;
  /** Monotonic revision, raised on every write. */
  rev: number;
  /** Where the task came from: inbox file name and line number. */
  source?: { file: string; line: number; hash?: string };
  /** Set while processing: who claimed it. */
  claim?: {
    workerPid: number;
    workerStart?: string;
    claimedAt: string;
    toolPid?: number;
    toolStart?: string;
  };
  /** Why it is where it is (last failure, quarantine reason). */
  reason?: string;
  /** Why a quarantined task is there: an open breaker (returns by itself), or by hand. */
  quarantineKind?: 'breaker' | 'invalid' | 'manual' | 'attention';
  /**
   * The agent session of the current or last attempt (see core/tool/resume.ts): written before the
   * tool starts (claude/gemini choose it) or as soon as the tool names it (codex `thread.started`),
   * so the next attempt can continue it even after a kill.
   */
  sessionId?: string;
  /** Recent attempts, newest last (the ledger has them all). */
  history: AttemptSummary[];
  /**
   * The ledger lines of this task's recent moves, newest last, each stamped with the record's `rev`
   * at that move. Written in the same store change as the move, so recovery can append any line a
   * crash kept out of the ledger (the ledger catches up from the record).
   */
  journal?: JournalEntry[];
  /** What the task did: final message, usage, worktree and changes (see result.ts); set at each attempt's end. */
  result?: TaskResult;
}

/** One ledger line as a task move wrote it into its record (see `journal`). */
export interface JournalEntry {
  rev: number;
  ts: string;
  event: string;
  [field: string]: unknown;
}
