import { describe, expect, it } from '@jest/globals';
import { jumpThresholdMs, timerLateness, Watchdog } from './watchdog.js';

/** A watchdog on fake clocks: `advance` moves both clocks, `sleep` moves only the wall clock. */
function fakeWatchdog(intervalMs: number) {
  let mono = 0;
  let wall = 1_700_000_000_000;
  const seen: string[] = [];
  const wd = new Watchdog({
    intervalMs,
    onTick: () => seen.push('tick'),
    onJump: (late) => seen.push(`jump ${Math.round(late / 1000)}`),
    mono: () => mono,
    wall: () => wall,
    setTimer: () => ({}),
    clearTimer: () => undefined,
  });
  wd.start();
  return {
    seen,
    /** Time passes while the process runs (or is SIGSTOPped: both clocks run on). */
    advance: (ms: number) => {
      mono += ms;
      wall += ms;
      wd.fire();
    },
    /** A suspend: the monotonic clock stands still (Linux, macOS), the wall clock jumps. */
    suspend: (ms: number) => {
      wall += ms;
      mono += 5;
      wd.fire();
    },
  };
}

describe('Watchdog', () => {
  it('judges heartbeats on ordinary ticks, even ones late by load', () => {
    const w = fakeWatchdog(1000);
    w.advance(1000);
    w.advance(1800);
    w.advance(1000 + jumpThresholdMs(1000) - 1);
    expect(w.seen).toEqual(['tick', 'tick', 'tick']);
  });

  it('tells a stop of the whole tree (SIGSTOP 70 s) from a hang: a jump, no judging', () => {
    const w = fakeWatchdog(1000);
    w.advance(1000);
    w.advance(71_000);
    w.advance(1000);
    expect(w.seen).toEqual(['tick', 'jump 70', 'tick']);
  });

  it('sees a laptop suspend that the monotonic clock did not count', () => {
    const w = fakeWatchdog(1000);
    w.suspend(60_000);
    expect(w.seen).toEqual(['jump 59']);
  });

  it('measures lateness by the larger of both clocks', () => {
    expect(timerLateness({ intervalMs: 100, lastMono: 0, nowMono: 150, lastWall: 0, nowWall: 5100 })).toBe(
      5000,
    );
    expect(timerLateness({ intervalMs: 100, lastMono: 0, nowMono: 90, lastWall: 0, nowWall: 90 })).toBe(0);
  });
});
