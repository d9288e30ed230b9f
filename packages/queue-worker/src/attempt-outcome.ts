import type { RetryDecision } from '@headless/core/policy/retry';
import type { AttemptEnd } from '@headless/core/queue/transitions';
import type { Classification } from '@headless/core/tool/classify';

/** What the stale-index.lock check found after a git attempt that failed on the lock. */
export type LockFinding = { removed: boolean; reason: string } | undefined;

export interface AttemptFacts {
  /** Why the worker ended the attempt, if it did. */
  abortReason: 'stop' | 'cancel' | undefined;
  classification: Pick<Classification, 'outcome' | 'retryable' | 'reason' | 'suspect'>;
  lock: LockFinding;
  /** `decideRetry` for this attempt, with `retryable` already raised by a lock finding. */
  retry: RetryDecision;
  attempt: number;
  maxAttempts: number;
  now: Date;
}

/**
 * Where a task goes after an attempt: the one place that decides it. Pure, and tested row by row
 * (abort reason × outcome × lock finding × retry decision).
 * - A tool that had done its work when a stop or cancel came (its leftovers were being ended)
 *   succeeded: that stands.
 * - A cancel fails the task; a stop puts it back uncounted.
 * - A stale index.lock that was removed is retried at once (if attempts are left).
 * - Otherwise the retry decision: retry at its time, or fail with why.
 */
export function decideAttemptEnd(f: AttemptFacts): AttemptEnd {
  const c = f.classification;
  if (c.outcome === 'success') return { to: 'done', ...(c.suspect ? { note: c.suspect } : {}) };
  if (f.abortReason === 'cancel') return { to: 'cancelled', reason: 'cancelled by the user' };
  if (f.abortReason === 'stop') {
    return { to: 'requeued', reason: 'interrupted by stop; runs again', notBefore: f.now, uncount: true };
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
