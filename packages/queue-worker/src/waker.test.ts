import { describe, expect, it } from '@jest/globals';
import { passNeededAfterEnd, Waker } from './waker.js';

describe('passNeededAfterEnd', () => {
  const quiet = { untilIdle: false, hasDependents: false };

  it('needs no second pass for a done or failed task that nothing waits on', () => {
    expect(passNeededAfterEnd('done', quiet)).toBe(false);
    expect(passNeededAfterEnd('failed', quiet)).toBe(false);
  });

  it('needs one for a task back in the queue or parked, or an end not stored', () => {
    expect(passNeededAfterEnd('queued', quiet)).toBe(true);
    expect(passNeededAfterEnd('quarantine', quiet)).toBe(true);
    expect(passNeededAfterEnd(undefined, quiet)).toBe(true);
  });

  it('needs one when a dependent is queued or `headless run` checks for idle', () => {
    expect(passNeededAfterEnd('done', { untilIdle: false, hasDependents: true })).toBe(true);
    expect(passNeededAfterEnd('failed', { untilIdle: true, hasDependents: false })).toBe(true);
  });
});

describe('Waker', () => {
  it('ends the next wait at once for a wake that came while busy', async () => {
    const w = new Waker();
    w.wake();
    const t0 = Date.now();
    await w.wait(60_000);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
