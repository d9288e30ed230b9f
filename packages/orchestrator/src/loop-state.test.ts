import { describe, expect, it } from '@jest/globals';
import { combineOutcomes, initialLoopState, runFinished, runStarted, scheduled } from './loop-state.js';

describe('combineOutcomes', () => {
  it('is ok only when every repo is ok', () => {
    expect(combineOutcomes([{ repo: 'a', result: 'ok' }])).toEqual({ result: 'ok', reason: null });
    expect(combineOutcomes([])).toEqual({ result: 'ok', reason: null });
  });

  it('is failed when any repo failed, naming each repo that was not ok', () => {
    const c = combineOutcomes([
      { repo: 'a', result: 'ok' },
      { repo: 'b', result: 'skipped', reason: 'breaker open' },
      { repo: 'c', result: 'failed', reason: 'not found' },
    ]);
    expect(c.result).toBe('failed');
    expect(c.reason).toBe('b: breaker open; c: not found');
  });

  it('is skipped when nothing failed but something was skipped', () => {
    expect(combineOutcomes([{ repo: 'a', result: 'skipped' }]).result).toBe('skipped');
  });
});

describe('loop state transitions', () => {
  it('counts runs and failures and records the last result and the next run', () => {
    let s = scheduled(initialLoopState(true, 60), Date.UTC(2026, 0, 1));
    expect(s.nextRunAt).toBe('2026-01-01T00:00:00.000Z');
    s = runStarted(s);
    expect(s).toMatchObject({ running: true, nextRunAt: null });
    s = runFinished(s, { startedAt: 0, finishedAt: 1500, result: 'failed', reason: 'x', nextRunAt: 60_000 });
    expect(s).toMatchObject({
      running: false,
      lastRunAt: '1970-01-01T00:00:00.000Z',
      lastResult: 'failed',
      lastReason: 'x',
      lastDurationMs: 1500,
      nextRunAt: '1970-01-01T00:01:00.000Z',
      runs: 1,
      failures: 1,
    });
    s = runFinished(runStarted(s), {
      startedAt: 60_000,
      finishedAt: 61_000,
      result: 'ok',
      reason: null,
      nextRunAt: 120_000,
    });
    expect(s).toMatchObject({ runs: 2, failures: 1, lastResult: 'ok', lastReason: null });
  });
});
