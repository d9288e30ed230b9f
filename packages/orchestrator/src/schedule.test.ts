import { describe, expect, it } from '@jest/globals';
import { firstRunAt, jitteredIntervalMs, nextRunAt } from './schedule.js';

const spec = { intervalMs: 60_000, jitter: 0.1 };

describe('jitteredIntervalMs', () => {
  it('stays within ±jitter of the interval for any random draw', () => {
    for (const r of [0, 0.001, 0.25, 0.5, 0.75, 0.999999, 1, -1, Number.NaN, 7]) {
      const ms = jitteredIntervalMs(spec, r);
      expect(ms).toBeGreaterThanOrEqual(54_000);
      expect(ms).toBeLessThanOrEqual(66_000);
    }
    expect(jitteredIntervalMs(spec, 0)).toBe(54_000);
    expect(jitteredIntervalMs(spec, 0.5)).toBe(60_000);
    expect(jitteredIntervalMs(spec, 0.9999999)).toBe(66_000);
  });

  it('is exactly the interval without jitter', () => {
    expect(jitteredIntervalMs({ intervalMs: 1000, jitter: 0 }, 0.3)).toBe(1000);
  });
});

describe('firstRunAt', () => {
  it('starts at once without jitter and within jitter × interval with it', () => {
    expect(firstRunAt({ intervalMs: 1000, jitter: 0 }, 5000, 0.7)).toBe(5000);
    expect(firstRunAt(spec, 0, 0)).toBe(0);
    expect(firstRunAt(spec, 0, 0.5)).toBe(3000);
    expect(firstRunAt(spec, 0, 0.9999999)).toBeLessThanOrEqual(6000);
  });
});

describe('nextRunAt', () => {
  it('plans the next run one jittered interval after the start of the last one', () => {
    expect(nextRunAt(spec, 100_000, 101_000, 0.5)).toBe(160_000);
    expect(nextRunAt(spec, 100_000, 101_000, 0)).toBe(154_000);
  });

  it('starts right after a run that took longer than the interval, never during it', () => {
    expect(nextRunAt(spec, 100_000, 250_000, 0.5)).toBe(250_000);
    expect(nextRunAt(spec, 100_000, 163_000, 0.9999999)).toBe(166_000);
    expect(nextRunAt(spec, 100_000, 167_000, 0.9999999)).toBe(167_000);
  });

  it('never overlaps or bunches runs over a simulated day of varied run lengths', () => {
    // A fake clock: each run's length is drawn from 0..3 intervals; missed slots are not made up.
    let now = firstRunAt(spec, 0, 0.3);
    let seed = 42;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const runs: Array<{ start: number; end: number }> = [];
    while (now < 24 * 3600_000) {
      const start = now;
      const end = start + Math.floor(rand() * 3 * spec.intervalMs);
      runs.push({ start, end });
      now = nextRunAt(spec, start, end, rand());
      expect(now).toBeGreaterThanOrEqual(end);
      expect(now - start).toBeGreaterThanOrEqual(54_000);
      expect(now - start).toBeLessThanOrEqual(Math.max(66_000, end - start));
    }
    for (let i = 1; i < runs.length; i++) expect(runs[i]!.start).toBeGreaterThanOrEqual(runs[i - 1]!.end);
  });
});
