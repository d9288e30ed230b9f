import type { WatchedFolder } from './wake-events.js';

/** What a loop pass reads from disk besides the queue index: the inbox, the user's requests, the breaker resets. */
export type PassSource = 'inbox' | 'requests' | 'resets';

const ALL: readonly PassSource[] = ['inbox', 'requests', 'resets'];

/**
 * Which of its folders and files a loop pass reads. Most passes are woken by a task's end, and
 * listing `inbox/` and `run/requests/` and reading `run/breaker-resets.json` then found nothing new:
 * three reads per task at concurrency 1. Now a pass reads a source when a watch event named it
 * since the last pass, and every source once per `rescanIntervalMs` whatever the events said: the
 * listing stays the truth (events can be lost, on Windows especially), an event only makes it
 * come sooner. Where a folder cannot be watched, every pass reads everything, as before.
 */
export class ScanSchedule {
  private marked = new Set<PassSource>(ALL);
  private lastFullAt = -Infinity;
  private unwatched = false;

  constructor(private readonly intervalMs: number) {}

  /** A watch event in `folder` (a request may be a breaker reset: those are read with it). */
  noteEvent(folder: WatchedFolder): void {
    if (folder === 'inbox') this.marked.add('inbox');
    else if (folder === 'requests') {
      this.marked.add('requests');
      this.marked.add('resets');
    }
  }

  /** A folder that is not (or no longer) watched: from now on every pass reads everything. */
  noteUnwatched(): void {
    this.unwatched = true;
  }

  /** The sources this pass reads; what it takes is unmarked (an event during the pass marks it again). */
  take(now: number): ReadonlySet<PassSource> {
    if (this.unwatched || now - this.lastFullAt >= this.intervalMs || now < this.lastFullAt) {
      this.lastFullAt = now;
      this.marked.clear();
      return new Set(ALL);
    }
    const out = this.marked;
    this.marked = new Set();
    return out;
  }
}
