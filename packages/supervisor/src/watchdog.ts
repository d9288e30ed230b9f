import { performance } from 'node:perf_hooks';

/** A monotonic clock in ms: never set back or forward by the user, NTP or a time zone change. */
export const monotonicNow = (): number => performance.now();

/**
 * How far a timer fired past its time, by whichever clock saw the larger gap. Across a laptop
 * suspend the monotonic clock stands still on Linux and macOS (CLOCK_MONOTONIC, mach time) while
 * the wall clock jumps; a SIGSTOPped process sees both run on. Taking the larger of the two catches
 * every case where this process could not run for a while.
 */
export function timerLateness(t: {
  intervalMs: number;
  lastMono: number;
  nowMono: number;
  lastWall: number;
  nowWall: number;
}): number {
  const mono = t.nowMono - t.lastMono - t.intervalMs;
  const wall = t.nowWall - t.lastWall - t.intervalMs;
  return Math.max(0, mono, wall);
}

/**
 * A late timer means this process did not run (sleep, SIGSTOP, a VM paused), not that a child
 * hangs. The bar sits well above event-loop lag under load: a few ticks, and never under 2 s.
 */
export function jumpThresholdMs(intervalMs: number): number {
  return Math.max(2000, intervalMs * 5);
}

export interface WatchdogOptions {
  intervalMs: number;
  /** A normal tick: judge heartbeats. */
  onTick: () => void;
  /** This process did not run for `lateMs`: every heartbeat deadline must start over, nothing is judged. */
  onJump: (lateMs: number) => void;
  mono?: () => number;
  wall?: () => number;
  setTimer?: (fn: () => void, ms: number) => { unref?: () => unknown };
  clearTimer?: (t: unknown) => void;
}

/**
 * The supervisor's heartbeat clock: a self-rescheduling timer that measures its own lateness, so
 * a sleep of the whole machine (or a stop of the whole tree) is told apart from a hung child.
 */
export class Watchdog {
  private timer: unknown;
  private lastMono = 0;
  private lastWall = 0;
  private running = false;
  private readonly mono: () => number;
  private readonly wall: () => number;

  constructor(private readonly opts: WatchdogOptions) {
    this.mono = opts.mono ?? monotonicNow;
    this.wall = opts.wall ?? Date.now;
  }

  start(): void {
    this.running = true;
    this.arm();
  }

  private arm(): void {
    this.lastMono = this.mono();
    this.lastWall = this.wall();
    const set = this.opts.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
    this.timer = set(() => this.fire(), this.opts.intervalMs);
  }

  /** Runs one tick now (the timer calls it; tests with fake clocks call it directly). */
  fire(): void {
    if (!this.running) return;
    const late = timerLateness({
      intervalMs: this.opts.intervalMs,
      lastMono: this.lastMono,
      nowMono: this.mono(),
      lastWall: this.lastWall,
      nowWall: this.wall(),
    });
    if (late > jumpThresholdMs(this.opts.intervalMs)) this.opts.onJump(late);
    else this.opts.onTick();
    if (this.running) this.arm();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined)
      (this.opts.clearTimer ?? ((t) => clearTimeout(t as NodeJS.Timeout)))(this.timer);
    this.timer = undefined;
  }
}
