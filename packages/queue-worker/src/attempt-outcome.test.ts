import { describe, expect, it } from '@jest/globals';
import type { RetryDecision } from '@headless/core/policy/retry';
import { decideAttemptEnd, type AttemptFacts, type LockFinding } from './attempt-outcome.js';

const now = new Date('2026-12-01T10:00:00Z');
const later = new Date('2026-12-01T10:00:05Z');
const retryLater: RetryDecision = { action: 'retry', notBefore: later, delayMs: 5000, why: 'backoff' };
const exhausted: RetryDecision = { action: 'fail', why: 'attempts exhausted (3 of 3)' };
const notRetryable: RetryDecision = { action: 'fail', why: 'not retryable' };
const staleRemoved: LockFinding = { removed: true, reason: 'stale lock removed' };
const liveKept: LockFinding = { removed: false, reason: 'held by a running git' };

type Row = [
  abort: AttemptFacts['abortReason'],
  outcome: 'success' | 'transient' | 'permanent',
  lock: LockFinding,
  retry: RetryDecision,
  attempt: number,
  expected: Record<string, unknown>,
];

// abort reason × classified outcome × lock finding × retry decision → where the task goes.
const ROWS: Row[] = [
  [undefined, 'success', undefined, notRetryable, 1, { to: 'done' }],
  ['stop', 'success', undefined, notRetryable, 1, { to: 'done' }],
  ['cancel', 'success', undefined, notRetryable, 1, { to: 'done' }],
  ['cancel', 'transient', undefined, retryLater, 1, { to: 'cancelled', reason: 'cancelled by the user' }],
  ['cancel', 'permanent', staleRemoved, retryLater, 1, { to: 'cancelled' }],
  ['stop', 'transient', undefined, retryLater, 1, { to: 'requeued', uncount: true, notBefore: now }],
  ['stop', 'permanent', undefined, notRetryable, 3, { to: 'requeued', uncount: true }],
  [
    undefined,
    'permanent',
    staleRemoved,
    notRetryable,
    1,
    { to: 'retry', notBefore: now, reason: 'git index.lock: stale lock removed' },
  ],
  [
    undefined,
    'permanent',
    staleRemoved,
    exhausted,
    3,
    { to: 'failed', reason: 'git index.lock: stale lock removed (attempts exhausted (3 of 3))' },
  ],
  [
    undefined,
    'permanent',
    liveKept,
    retryLater,
    1,
    { to: 'retry', notBefore: later, reason: 'git index.lock: held by a running git (retry backoff)' },
  ],
  [
    undefined,
    'permanent',
    liveKept,
    exhausted,
    3,
    { to: 'failed', reason: 'git index.lock: held by a running git (attempts exhausted (3 of 3))' },
  ],
  [
    undefined,
    'transient',
    undefined,
    retryLater,
    1,
    { to: 'retry', notBefore: later, reason: 'boom (retry backoff)', delayMs: 5000 },
  ],
  [
    undefined,
    'transient',
    undefined,
    exhausted,
    3,
    { to: 'failed', reason: 'boom (attempts exhausted (3 of 3))', outcome: 'transient' },
  ],
  [
    undefined,
    'permanent',
    undefined,
    notRetryable,
    1,
    { to: 'failed', reason: 'boom', outcome: 'permanent' },
  ],
];

describe('where a task goes after an attempt', () => {
  it.each(ROWS)(
    'abort %s, outcome %s, lock %j, retry %j, attempt %d',
    (abort, outcome, lock, retry, attempt, expected) => {
      const end = decideAttemptEnd({
        abortReason: abort,
        classification: { outcome, retryable: outcome === 'transient', reason: 'boom' },
        lock,
        retry,
        attempt,
        maxAttempts: 3,
        now,
      });
      expect(end).toMatchObject(expected);
    },
  );

  it('carries a suspect success as a note on done', () => {
    const end = decideAttemptEnd({
      abortReason: undefined,
      classification: { outcome: 'success', retryable: false, reason: 'ok', suspect: 'permission denials' },
      lock: undefined,
      retry: notRetryable,
      attempt: 1,
      maxAttempts: 3,
      now,
    });
    expect(end).toEqual({ to: 'done', note: 'permission denials' });
  });
});
