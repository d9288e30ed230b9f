import { describe, expect, it } from '@jest/globals';
import {
  backoffDelay,
  decideRestart,
  freshHistory,
  type RestartHistory,
  type RestartPolicy,
} from './restart-policy.js';

const policy: RestartPolicy = {
  baseMs: 250,
  maxMs: 4000,
  stableAfterMs: 60_000,
  stormRestarts: 5,
  stormWindowMs: 60_000,
  stormDelayMs: 300_000,
};

describe('restart policy', () => {
  it('restarts at once after the first exit, then doubles the delay after each quick exit up to the cap', () => {
    let history: RestartHistory = freshHistory();
    const delays: number[] = [];
    let now = 0;
    const wide = { ...policy, stormRestarts: 100 };
    for (let i = 0; i < 7; i++) {
      const d = decideRestart(history, { startedAt: now, exitedAt: now + 10 }, wide);
      delays.push(d.delayMs);
      history = d.history;
      now += 10 + d.delayMs;
    }
    expect(delays).toEqual([0, 250, 500, 1000, 2000, 4000, 4000]);
  });

  it('restarts a child that ran longer than stableAfter at once, and resets the backoff', () => {
    const history: RestartHistory = { consecutive: 4, recentExits: [] };
    const d = decideRestart(history, { startedAt: 0, exitedAt: 61_000 }, policy);
    expect(d).toMatchObject({ kind: 'backoff', delayMs: 0 });
    expect(d.history.consecutive).toBe(1);
    const next = decideRestart(d.history, { startedAt: 61_000, exitedAt: 61_005 }, policy);
    expect(next).toMatchObject({ kind: 'backoff', delayMs: 250 });
  });

  it('parks the child as crash-looping at the storm limit, then allows a fresh window', () => {
    let history = freshHistory();
    const kinds: string[] = [];
    let now = 1000;
    for (let i = 0; i < 6; i++) {
      const d = decideRestart(history, { startedAt: now, exitedAt: now + 5 }, policy);
      kinds.push(d.kind);
      history = d.history;
      now += 5 + d.delayMs;
    }
    expect(kinds).toEqual(['backoff', 'backoff', 'backoff', 'backoff', 'crash-looping', 'backoff']);
    const storm = decideRestart(
      { consecutive: 4, recentExits: [1, 2, 3, 4] },
      { startedAt: 5, exitedAt: 6 },
      policy,
    );
    expect(storm).toMatchObject({ kind: 'crash-looping', delayMs: 300_000, exitsInWindow: 5 });
  });

  it('forgets exits older than the storm window', () => {
    const history: RestartHistory = { consecutive: 1, recentExits: [0, 1, 2, 3] };
    const d = decideRestart(history, { startedAt: 70_000, exitedAt: 70_010 }, policy);
    expect(d.kind).toBe('backoff');
    expect(d.history.recentExits).toEqual([70_010]);
  });

  it('keeps the delay finite for absurd failure counts', () => {
    expect(backoffDelay(10_000, policy)).toBe(4000);
  });
});
