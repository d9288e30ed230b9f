/**
 * When a loop runs next. Pure: the caller passes the times and a random number in [0, 1).
 *
 * A loop never overlaps itself: the next run is planned only when the current one has finished, at
 * `start + interval ± jitter`, and if that moment has already passed (the run took longer than the
 * interval) the next run starts right after this one instead of piling up missed runs.
 */

export interface ScheduleSpec {
  intervalMs: number;
  /** Fraction of the interval (0..0.5) a run may start early or late, so loops do not align. */
  jitter: number;
}

/** The interval moved by up to ±jitter of itself: `random` 0 is the earliest, towards 1 the latest. */
export function jitteredIntervalMs(spec: ScheduleSpec, random: number): number {
  const spread = spec.intervalMs * spec.jitter;
  return Math.round(spec.intervalMs - spread + 2 * spread * clampUnit(random));
}

/** The first run after start-up: soon, spread over [0, jitter × interval] so loops started together do not align. */
export function firstRunAt(spec: ScheduleSpec, now: number, random: number): number {
  return now + Math.round(spec.intervalMs * spec.jitter * clampUnit(random));
}

/** The next run after one that started at `startedAt` and finished at `finishedAt`. Never before `finishedAt`. */
export function nextRunAt(spec: ScheduleSpec, startedAt: number, finishedAt: number, random: number): number {
  return Math.max(finishedAt, startedAt + jitteredIntervalMs(spec, random));
}

function clampUnit(n: number): number {
  if (!Number.isFinite(n) || n < 0) return 0;
  return n >= 1 ? 1 - Number.EPSILON : n;
}
