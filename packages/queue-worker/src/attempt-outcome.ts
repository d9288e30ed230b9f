import type { RetryDecision } from '@headless/core/policy/retry';
import type { AttemptEnd } from '@headless/core/queue/transitions';
import { ATTENTION_OUTCOMES, type Classification } from '@headless/core/tool/classify';
import type { ParkDecision } from '@headless/core/policy/park';

/** What the stale-index.lock check found after a git attempt that failed on the lock. */
export type LockFinding = { removed: boolean; reason: string } | undefined;

export interface AttemptFacts {
  /** Why the worker ended the attempt, if it did. */
  abortReason: 'stop' | 'cancel' | undefined;
  classification: Pick<Classification, 'outcome' | 'retryable' | 'reason' | 'suspect' | 'sessionNotFound'>;
  lock: LockFinding;
  /** `decideRetry` for this attempt, with `retryable` already raised by a lock finding. */
  retry: RetryDecision;
  attempt: number;
  maxAttempts: number;
  now: Date;
  /** The tool's park this attempt called for (decidePark): a usage/rate limit or a failed login. */
  park?: ParkDecision;
  tool?: string;
  /** The task's own `max_cost_usd` is spent (a `budget` end then fails it). */
  taskCapSpent?: boolean;
}

/**
 * Where a task goes after an attempt: the one place that decides it. Pure, and tested row by row
 * (abort reason × outcome × lock finding × retry decision).
 * - A tool that had done its work when a stop or cancel came (its leftovers were being ended)
 *   succeeded: that stands.
 * - A cancel fails the task; a stop puts it back uncounted.
 * - A stale index.lock that was removed is retried at once (if attempts are left).
 * - A usage or rate limit parked the tool: the task waits for the park's end, this attempt uncounted.
 * - Needs a person (auth, blocked_on_input, suspect): held in quarantine (`attention`), never retried.
 * - A spend cap ended it: back to the queue uncounted (the budget gate holds it until the period
 *   ends), unless the task's own `max_cost_usd` is spent, which fails it.
 * - Otherwise the retry decision: retry at its time, or fail with why.
 */
export function decideAttemptEnd(f: AttemptFacts): AttemptEnd {
  const c = f.classification;
  if (c.outcome === 'success') return { to: 'done', ...(c.suspect ? { note: c.suspect } : {}) };
  if (f.abortReason === 'cancel') return { to: 'cancelled', reason: 'cancelled by the user' };
  if (f.abortReason === 'stop') {
    return { to: 'requeued', reason: 'interrupted by stop; runs again', notBefore: f.now, uncount: true };
  }
  if (f.park?.kind === 'until') {
    return {
      to: 'requeued',
      reason: `${f.park.reason}; ${f.tool ?? 'the tool'} is parked until ${f.park.until.toISOString()}, then this task runs again (attempt not counted)`,
      notBefore: f.park.until,
      uncount: true,
    };
  }
  if (ATTENTION_OUTCOMES.has(c.outcome)) {
    const then =
      c.outcome === 'auth' && f.tool
        ? `; then: headless retry --reset-breaker ${f.tool} (brings back this task and the tool's queue)`
        : '';
    return { to: 'attention', reason: `${c.reason}${then}`, outcome: c.outcome };
  }
  if (c.sessionNotFound && f.attempt < f.maxAttempts) {
    const why = `${c.reason}; the next attempt starts a new session`;
    return { to: 'retry', notBefore: f.now, reason: why, ledgerReason: why };
  }
  if (c.outcome === 'budget' && !f.taskCapSpent) {
    return { to: 'requeued', reason: `${c.reason}; waits for the budget`, notBefore: f.now, uncount: true };
  }
  const why = f.lock ? `git index.lock: ${f.lock.reason}` : c.reason;
  if (f.lock?.removed && f.attempt < f.maxAttempts) {
    return { to: 'retry', notBefore: f.now, reason: why, ledgerReason: why };
  }
  if (f.retry.action === 'retry') {
    return {
      to: 'retry',
      notBefore: f.retry.notBefore,
      reason: `${why} (retry ${f.retry.why})`,
      ledgerReason: `${why}; ${f.retry.why}`,
      delayMs: f.retry.delayMs,
    };
  }
  const retryable = c.retryable || f.lock !== undefined;
  return { to: 'failed', reason: retryable ? `${why} (${f.retry.why})` : why, outcome: c.outcome };
}
