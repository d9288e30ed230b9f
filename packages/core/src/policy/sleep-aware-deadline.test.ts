import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import {
  advanceDeadline,
  isExpired,
  remainingMs,
  startDeadline,
  startSleepAwareTimer,
  type DeadlineState,
} from './sleep-aware-deadline.js';

const TICK = { tickMs: 1000, countsSleep: false };

/** Runs ticks of `stepMs` until `totalMs` has passed on both clocks. */
function run(s: DeadlineState, clock: { mono: number; wall: number }, totalMs: number, stepMs = 1000) {
  for (let t = 0; t < totalMs; t += stepMs) {
    clock.mono += stepMs;
    clock.wall += stepMs;
    s = advanceDeadline(s, clock, TICK);
  }
  return s;
}

describe('sleep-aware deadline (pure)', () => {
  it('expires exactly when the budget is spent, never early, counting event-loop lag in full', () => {
    const clock = { mono: 0, wall: 1e12 };
    let s = startDeadline(30_000, clock);
    s = run(s, clock, 29_000);
    expect(isExpired(s)).toBe(false);
    clock.mono += 1500; // a loaded machine: a tick 500 ms late still counts whole
    clock.wall += 1500;
    s = advanceDeadline(s, clock, TICK);
    expect(isExpired(s)).toBe(true);
    expect(s.sleptMs).toBe(0);
  });

  it('does not count a 70 s stop of the process (both clocks ran on) against a 60 s budget', () => {
    const clock = { mono: 0, wall: 1e12 };
    let s = startDeadline(60_000, clock);
    s = run(s, clock, 10_000);
    clock.mono += 70_000;
    clock.wall += 70_000;
    s = advanceDeadline(s, clock, TICK);
    expect(isExpired(s)).toBe(false);
    expect(s.sleptMs).toBe(69_000);
    expect(remainingMs(s)).toBe(49_000);
  });

  it('does not count a suspend that only the wall clock saw', () => {
    const clock = { mono: 0, wall: 1e12 };
    let s = startDeadline(60_000, clock);
    clock.mono += 10;
    clock.wall += 3_600_000;
    s = advanceDeadline(s, clock, TICK);
    expect(isExpired(s)).toBe(false);
  });

  it('counts the sleep when the policy says so (timeoutCountsSleep)', () => {
    const clock = { mono: 0, wall: 1e12 };
    let s = startDeadline(60_000, clock);
    clock.mono += 10;
    clock.wall += 70_000;
    s = advanceDeadline(s, clock, { tickMs: 1000, countsSleep: true });
    expect(isExpired(s)).toBe(true);
  });

  it('counts nothing when the wall clock is set back', () => {
    const clock = { mono: 0, wall: 1e12 };
    let s = startDeadline(60_000, clock);
    clock.mono += 1000;
    clock.wall -= 3_600_000;
    s = advanceDeadline(s, clock, TICK);
    expect(s.usedMs).toBe(1000);
  });
});

describe('startSleepAwareTimer (fake timers and clocks)', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('fires at the budget in ordinary time, and a reset starts it over', () => {
    const clock = { mono: 0, wall: 1e12 };
    const fired: number[] = [];
    const t = startSleepAwareTimer({
      budgetMs: 5000,
      countsSleep: false,
      onExpire: (s) => fired.push(s.usedMs),
      mono: () => clock.mono,
      wall: () => clock.wall,
    });
    const step = (ms: number) => {
      clock.mono += ms;
      clock.wall += ms;
      jest.advanceTimersByTime(ms);
    };
    for (let i = 0; i < 3; i++) step(1000);
    t.reset();
    for (let i = 0; i < 4; i++) step(1000);
    expect(fired).toEqual([]);
    step(1000);
    expect(fired).toEqual([5000]);
    t.stop();
  });

  it('a 12 s run across a 70 s stop of the tree is not timed out by a 30 s budget', () => {
    const clock = { mono: 0, wall: 1e12 };
    let fired = false;
    const t = startSleepAwareTimer({
      budgetMs: 30_000,
      countsSleep: false,
      onExpire: () => (fired = true),
      mono: () => clock.mono,
      wall: () => clock.wall,
    });
    for (let i = 0; i < 5; i++) {
      clock.mono += 1000;
      clock.wall += 1000;
      jest.advanceTimersByTime(1000);
    }
    // SIGSTOP for 70 s: no timer runs; on SIGCONT the overdue tick fires once, 70 s late.
    clock.mono += 70_000;
    clock.wall += 70_000;
    jest.advanceTimersByTime(1000);
    for (let i = 0; i < 7; i++) {
      clock.mono += 1000;
      clock.wall += 1000;
      jest.advanceTimersByTime(1000);
    }
    expect(fired).toBe(false);
    expect(t.state().sleptMs).toBeGreaterThanOrEqual(69_000);
    t.stop();
  });
});
