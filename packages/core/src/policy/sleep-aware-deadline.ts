import { performance } from 'node:perf_hooks';

/**
 * Attempt timeouts that do not count a sleep. A laptop that suspends for an hour in the middle of a
 * 30-minute agent run must not find the run "timed out" on waking: the agent could not run either.
 * A plain setTimeout cannot tell: on wake it fires at once (Windows, or a stopped process whose
 * monotonic clock ran on) or late (Linux, macOS suspend). So the budget is spent in ticks: each
 * tick adds the time that passed since the last one, and a gap far longer than a tick (the process
 * did not run) counts only as one tick unless `countsSleep` says otherwise
 * (policies.worker.timeoutCountsSleep). It never expires early: ordinary time always counts in full.
 */

export interface DeadlineState {
  budgetMs: number;
  usedMs: number;
  /** Time not counted because the process did not run. */
  sleptMs: number;
  lastMono: number;
  lastWall: number;
}

export interface DeadlineSample {
  mono: number;
  wall: number;
}

/** A gap longer than this (the tick, plus slack for a loaded event loop) means the process did not run. */
export function sleepGapMs(tickMs: number): number {
  return Math.max(2000, tickMs * 3);
}

export function startDeadline(budgetMs: number, at: DeadlineSample): DeadlineState {
  return { budgetMs, usedMs: 0, sleptMs: 0, lastMono: at.mono, lastWall: at.wall };
}

/** Spends the time since the last sample; pure. */
export function advanceDeadline(
  s: DeadlineState,
  at: DeadlineSample,
  opts: { tickMs: number; countsSleep: boolean },
): DeadlineState {
  const mono = Math.max(0, at.mono - s.lastMono);
  const wall = Math.max(0, at.wall - s.lastWall);
  // The wall clock sees a suspend that a monotonic clock may not; a clock set back counts nothing.
  const gap = Math.max(mono, wall);
  let counted = gap;
  if (!opts.countsSleep && gap > sleepGapMs(opts.tickMs)) counted = Math.min(gap, opts.tickMs);
  return {
    ...s,
    usedMs: s.usedMs + counted,
    sleptMs: s.sleptMs + (gap - counted),
    lastMono: at.mono,
    lastWall: at.wall,
  };
}

export const remainingMs = (s: DeadlineState): number => Math.max(0, s.budgetMs - s.usedMs);
export const isExpired = (s: DeadlineState): boolean => s.usedMs >= s.budgetMs;

export interface SleepAwareTimerOptions {
  budgetMs: number;
  countsSleep: boolean;
  onExpire: (state: DeadlineState) => void;
  /** How often the budget is spent; the timer also wakes exactly when the budget would run out. */
  tickMs?: number;
  mono?: () => number;
  wall?: () => number;
}

export interface SleepAwareTimer {
  /** Starts the budget over (an idle timeout, after output). */
  reset(): void;
  stop(): void;
  state(): DeadlineState;
}

/** A drop-in for `setTimeout(onExpire, budgetMs)` that does not count time the machine slept. */
export function startSleepAwareTimer(opts: SleepAwareTimerOptions): SleepAwareTimer {
  const tickMs = opts.tickMs ?? 1000;
  const sample = (): DeadlineSample => ({
    mono: (opts.mono ?? (() => performance.now()))(),
    wall: (opts.wall ?? Date.now)(),
  });
  let state = startDeadline(opts.budgetMs, sample());
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = (): void => {
    timer = setTimeout(tick, Math.max(1, Math.min(tickMs, remainingMs(state))));
    timer.unref();
  };
  const tick = (): void => {
    timer = undefined;
    if (stopped) return;
    state = advanceDeadline(state, sample(), { tickMs, countsSleep: opts.countsSleep });
    if (isExpired(state)) {
      stopped = true;
      opts.onExpire(state);
      return;
    }
    arm();
  };
  arm();
  return {
    reset() {
      if (stopped) return;
      state = startDeadline(opts.budgetMs, sample());
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
    state: () => state,
  };
}
