import type { TaskRecord } from '@headless/core/task/record';
import { queueOrder } from './scheduler.js';

/** A queued task not due yet (its `notBefore` is after the time the queue was last split). */
export interface WaitingTask {
  rec: TaskRecord;
  /** Its `notBefore`, in ms. */
  due: number;
}

/** When a record may be claimed (ms): 0 without `notBefore`, NaN for an unreadable one (due, as the scheduler reads it). */
export const dueOf = (rec: TaskRecord): number => (rec.notBefore ? Date.parse(rec.notBefore) : 0);

const waitingOrder = (a: WaitingTask, b: WaitingTask): number => a.due - b.due || queueOrder(a.rec, b.rec);

/** The first index whose element does not sort before `x`. */
function lowerBound<T>(arr: readonly T[], x: T, cmp: (a: T, b: T) => number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(arr[mid] as T, x) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted<T>(arr: T[], x: T, cmp: (a: T, b: T) => number): void {
  // Tasks mostly arrive in order (same priority, later enqueue time): an append.
  const last = arr[arr.length - 1];
  if (last === undefined || cmp(last, x) <= 0) arr.push(x);
  else arr.splice(lowerBound(arr, x, cmp), 0, x);
}

function removeSorted<T>(arr: T[], x: T, cmp: (a: T, b: T) => number, same: (a: T) => boolean): void {
  let i = lowerBound(arr, x, cmp);
  while (i < arr.length && !same(arr[i] as T) && cmp(arr[i] as T, x) === 0) i++;
  if (i < arr.length && same(arr[i] as T)) {
    arr.splice(i, 1);
    return;
  }
  // Not where its order says (cannot happen while records are not changed in place): look everywhere.
  const j = arr.findIndex(same);
  if (j >= 0) arr.splice(j, 1);
}

/**
 * The queue in the scheduler's order, kept on each insert and remove instead of sorted at each
 * loop pass: `ready` holds the tasks due at the last split, in `queueOrder` (higher priority, then
 * first queued, then id), `waiting` the others by due time. `promote(now)` moves what came due;
 * a clock that went back splits everything again. Per tool it counts the ready tasks and all of
 * them, so a pass can stop once no tool can start more (see plan-walk.ts). Pure data, no I/O.
 */
export class OrderedQueue {
  private readonly readyList: TaskRecord[] = [];
  private readonly waitingList: WaitingTask[] = [];
  private readonly records = new Map<string, { rec: TaskRecord; due: number; ready: boolean }>();
  private readonly readyTools = new Map<string, number>();
  private readonly allTools = new Map<string, number>();

  constructor(
    private splitAt: number,
    records: Iterable<TaskRecord> = [],
  ) {
    this.fill(records);
  }

  /** Splits `records` at `splitAt` into the (empty) lists, sorted once. */
  private fill(records: Iterable<TaskRecord>): void {
    const ready: TaskRecord[] = [];
    for (const rec of records) {
      const due = dueOf(rec);
      const isReady = !(due > this.splitAt);
      this.records.set(rec.id, { rec, due, ready: isReady });
      this.count(rec.spec.tool, isReady, 1);
      if (isReady) ready.push(rec);
      else this.waitingList.push({ rec, due });
    }
    this.readyList.push(...ready.sort(queueOrder));
    this.waitingList.sort(waitingOrder);
  }

  get ready(): readonly TaskRecord[] {
    return this.readyList;
  }

  get waiting(): readonly WaitingTask[] {
    return this.waitingList;
  }

  /** Ready tasks per tool (the walk's "anything left for this tool?"). */
  get readyPerTool(): ReadonlyMap<string, number> {
    return this.readyTools;
  }

  /** Queued tasks per tool, ready or waiting. */
  get perTool(): ReadonlyMap<string, number> {
    return this.allTools;
  }

  get size(): number {
    return this.records.size;
  }

  has(id: string): boolean {
    return this.records.has(id);
  }

  /** Adds the record, or puts it where its new fields say (a record replaced by a newer one). */
  set(rec: TaskRecord): void {
    this.remove(rec.id);
    const due = dueOf(rec);
    const ready = !(due > this.splitAt);
    this.records.set(rec.id, { rec, due, ready });
    this.count(rec.spec.tool, ready, 1);
    if (ready) insertSorted(this.readyList, rec, queueOrder);
    else insertSorted(this.waitingList, { rec, due }, waitingOrder);
  }

  remove(id: string): void {
    const entry = this.records.get(id);
    if (!entry) return;
    this.records.delete(id);
    this.count(entry.rec.spec.tool, entry.ready, -1);
    if (entry.ready) removeSorted(this.readyList, entry.rec, queueOrder, (r) => r.id === id);
    else
      removeSorted(
        this.waitingList,
        { rec: entry.rec, due: entry.due },
        waitingOrder,
        (w) => w.rec.id === id,
      );
  }

  /** Moves the tasks due by `now` to `ready`. */
  promote(now: number): void {
    if (now < this.splitAt) {
      this.resplit(now);
      return;
    }
    this.splitAt = now;
    let n = 0;
    while (n < this.waitingList.length && !((this.waitingList[n] as WaitingTask).due > now)) n++;
    if (n === 0) return;
    for (const w of this.waitingList.splice(0, n)) {
      const entry = this.records.get(w.rec.id);
      if (entry) entry.ready = true;
      bump(this.readyTools, w.rec.spec.tool, 1);
      insertSorted(this.readyList, w.rec, queueOrder);
    }
  }

  /** The clock went back: what was due may not be any more. Rare (a clock set back), so a full rebuild. */
  private resplit(now: number): void {
    const recs = [...this.records.values()].map((e) => e.rec);
    this.records.clear();
    this.readyTools.clear();
    this.allTools.clear();
    this.readyList.length = 0;
    this.waitingList.length = 0;
    this.splitAt = now;
    this.fill(recs);
  }

  private count(tool: string, ready: boolean, by: 1 | -1): void {
    bump(this.allTools, tool, by);
    if (ready) bump(this.readyTools, tool, by);
  }
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  const n = (counts.get(key) ?? 0) + by;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}
