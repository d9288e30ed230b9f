import { describe, expect, it } from '@jest/globals';
import { idleEnd, mayCheckIdle } from './idle-check.js';

describe('mayCheckIdle', () => {
  const quiet = { runningAtPlan: 0, runningNow: 0, started: 0, inboxPending: false };

  it('checks when nothing ran at the plan or since, nothing started and no inbox file is settling', () => {
    expect(mayCheckIdle(quiet)).toBe(true);
  });

  it('does not check after a pass that planned while a task ran, even if it has ended since', () => {
    // The task was left out of the plan; it may be back in the queue now (a limit, a retry).
    expect(mayCheckIdle({ ...quiet, runningAtPlan: 1 })).toBe(false);
  });

  it('does not check while a task runs, one was started, or an inbox file settles', () => {
    expect(mayCheckIdle({ ...quiet, runningNow: 1 })).toBe(false);
    expect(mayCheckIdle({ ...quiet, started: 1 })).toBe(false);
    expect(mayCheckIdle({ ...quiet, inboxPending: true })).toBe(false);
  });
});

describe('idleEnd', () => {
  const none = { queuedLeft: 0, breakerWake: undefined, nextWake: undefined, waitUntil: undefined };

  it('is idle with no queued task and no breaker to wait for', () => {
    expect(idleEnd(none)).toBe('idle');
  });

  it('waits for a queued task or an open breaker when there is no --max-wait', () => {
    expect(idleEnd({ ...none, queuedLeft: 1 })).toBeUndefined();
    expect(idleEnd({ ...none, breakerWake: 5_000 })).toBeUndefined();
  });

  it('with --max-wait: waits for what is due before it and lists the rest as waiting', () => {
    expect(idleEnd({ ...none, queuedLeft: 1, nextWake: 5_000, waitUntil: 10_000 })).toBeUndefined();
    expect(idleEnd({ ...none, queuedLeft: 1, nextWake: 15_000, waitUntil: 10_000 })).toBe('waiting');
    // Nothing scheduled at all: nothing will come before the deadline.
    expect(idleEnd({ ...none, queuedLeft: 1, waitUntil: 10_000 })).toBe('waiting');
  });
});
