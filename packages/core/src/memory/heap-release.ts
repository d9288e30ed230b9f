import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';

/**
 * When a quiet daemon gives memory back. A burst of work (a 10,000-line inbox file: its records are
 * all in memory at once) grows V8's heap, and V8 keeps those pages after the burst; a
 * memory-reducing full collection once the process has gone quiet returns them (bench/FINDINGS.md:
 * the worker grew 31 MB over 10,000 tasks without it, ~12 with it).
 */
export interface HeapReleasePolicy {
  /** Quiet (nothing running) at least this long first. */
  quietMs: number;
  /** Resident memory grown at least this much since the last collection (or the start). */
  minGrowthBytes: number;
  /** At most one collection in this long: a queue that goes quiet every few seconds pays once. */
  minIntervalMs: number;
}

export const DEFAULT_HEAP_RELEASE: HeapReleasePolicy = {
  quietMs: 2000,
  minGrowthBytes: 4 * 2 ** 20,
  minIntervalMs: 60_000,
};

export interface HeapReleaseState {
  /** When the process was last seen busy turn quiet; undefined while busy. */
  quietSince: number | undefined;
  /** Resident bytes after the last collection (or at the start). */
  baselineBytes: number;
  /** When the last collection ran; undefined before the first. */
  lastAt: number | undefined;
}

/** Whether to collect now. Pure: the shell below feeds it the clock and the resident size. */
export function shouldRelease(
  policy: HeapReleasePolicy,
  state: HeapReleaseState,
  now: number,
  residentBytes: number,
): boolean {
  if (state.quietSince === undefined || now - state.quietSince < policy.quietMs) return false;
  if (state.lastAt !== undefined && now - state.lastAt < policy.minIntervalMs) return false;
  return residentBytes - state.baselineBytes >= policy.minGrowthBytes;
}

export type Collect = () => void;

/**
 * V8's memory-reducing full collection (`gc` exists with `--expose-gc`: the supervisor gives it to
 * the worker, child-flags.ts, and the service to the supervisor, service-spec.ts); undefined without
 * it, and then nothing is released.
 */
export function memoryReducingGc(): Collect | undefined {
  const gc = globalThis.gc;
  return gc ? () => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' }) : undefined;
}

export interface HeapReleaseOptions {
  /** True while the process has work in hand (a task running). */
  busy: () => boolean;
  /** The collection; default memoryReducingGc(), null for none. */
  collect?: Collect | null;
  residentBytes?: () => number;
  clock?: Clock;
  policy?: HeapReleasePolicy;
  /** How often busy and the resident size are looked at. */
  checkMs?: number;
  /** Told after each collection (the log): resident bytes before and after. */
  onRelease?: (before: number, after: number) => void;
}

/** Looks every `checkMs` and collects when shouldRelease says so; the returned function stops it. */
export function startHeapRelease(opts: HeapReleaseOptions): () => void {
  const collect = opts.collect === undefined ? memoryReducingGc() : opts.collect;
  if (!collect) return () => undefined;
  const clock = opts.clock ?? systemClock;
  const policy = opts.policy ?? DEFAULT_HEAP_RELEASE;
  const resident = opts.residentBytes ?? (() => process.memoryUsage.rss());
  const state: HeapReleaseState = { quietSince: undefined, baselineBytes: resident(), lastAt: undefined };
  const check = (): void => {
    const now = clock.now();
    if (opts.busy()) {
      state.quietSince = undefined;
      return;
    }
    state.quietSince ??= now;
    const before = resident();
    if (!shouldRelease(policy, state, now, before)) return;
    collect();
    state.lastAt = now;
    state.baselineBytes = resident();
    opts.onRelease?.(before, state.baselineBytes);
  };
  const timer = setInterval(check, opts.checkMs ?? 1000);
  timer.unref();
  return () => clearInterval(timer);
}
