import { CorruptRecordError } from '@headless/core/queue/store';
import type { TaskRecord } from '@headless/core/task/record';
import type { WorkerContext } from './context.js';
import { OrderedQueue } from './queue-order.js';

/** Queued tasks per rescan interval between two listings of the queue folder (see `listEveryMs`). */
const LIST_STEP = 2000;

/**
 * The queued records the scheduler chooses from. The worker is the only writer of task state, and
 * every change it makes goes through its transitions, which tell this index (`noteChange`): a task
 * queued, requeued or released is in it at once with the record as stored, a task claimed, parked,
 * cancelled or failed leaves it. The queue folder is therefore listed only now and then (at the
 * first turn, every `rescanIntervalMs` or longer for a long queue, after a repair): a safety net for records that came
 * another way (a repair, a hand-placed file), not the way tasks normally arrive.
 */
export class QueueIndex {
  private readonly queued = new Map<string, TaskRecord>();
  /** The same records in the scheduler's order; built at the first pass that asks (`ordered`), then kept. */
  private order: OrderedQueue | undefined;
  /** The queued tasks with an `after` list: the only ones the dependency gate has to look at. */
  private readonly dependents = new Map<string, TaskRecord>();
  /** Ids told about while a listing was under way: the listing may predate them. */
  private readonly toldDuringListing = new Set<string>();
  private listing = false;
  private listedAt = -Infinity;

  constructor(
    private readonly ctx: WorkerContext,
    private readonly onDamaged: () => Promise<void>,
  ) {
    // One index per worker loop, listening for the worker's life (what is told after the loop is harmless).
    ctx.transitions.onChange((rec, from) => this.noteChange(rec, from));
  }

  /** A change made through the worker's transitions. */
  noteChange(rec: TaskRecord, from: string | undefined): void {
    if (rec.state === 'queued') this.put(rec);
    else if (from === 'queued') this.delete(rec.id);
    else return;
    if (this.listing) this.toldDuringListing.add(rec.id);
  }

  /** Lists the queue folder when due (see the class comment); otherwise the index is already right. */
  async refresh(): Promise<void> {
    const now = this.ctx.clock.now();
    if (now >= this.listedAt && now - this.listedAt < this.listEveryMs()) return;
    this.listedAt = now;
    this.listing = true;
    this.toldDuringListing.clear();
    try {
      await this.list();
    } finally {
      this.listing = false;
    }
  }

  /**
   * How often the folder is listed: every `rescanIntervalMs`, stretched by one interval per
   * LIST_STEP queued tasks, so that this safety net costs about the same per second with 100 or
   * 10,000 tasks waiting (a listing reads every id: ~16 ms for 10,000 here, 1.1 % of a core at 2 s).
   */
  private listEveryMs(): number {
    return this.ctx.policies.worker.rescanIntervalMs * Math.max(1, Math.ceil(this.queued.size / LIST_STEP));
  }

  /** The next refresh lists the folder (after a repair, or when something else may have changed it). */
  invalidate(): void {
    this.listedAt = -Infinity;
  }

  private async list(): Promise<void> {
    const ids = new Set(await this.ctx.store.ids('queued'));
    for (const id of this.queued.keys()) if (!ids.has(id) && !this.toldDuringListing.has(id)) this.delete(id);
    let damaged = false;
    for (const id of ids) {
      if (this.queued.has(id) || this.toldDuringListing.has(id)) continue;
      const rec = await this.ctx.store.read('queued', id).catch((err: unknown) => {
        if (!(err instanceof CorruptRecordError)) throw err;
        damaged = true;
        return undefined;
      });
      // Told about meanwhile (claimed, moved): what the transitions said wins over this read.
      if (rec && !this.toldDuringListing.has(id)) this.put(rec);
    }
    // A record torn while the worker runs (a disk error, a hand edit) is handled as recovery would:
    // moved aside and rebuilt from its inbox line, instead of being skipped (and logged) for ever.
    if (damaged) {
      await this.onDamaged();
      this.invalidate();
    }
  }

  /** The worker moved this task (claimed, parked): it is no longer queued. */
  drop(id: string): void {
    this.delete(id);
  }

  /** Read again at the next listing. */
  forget(id: string): void {
    this.delete(id);
    this.invalidate();
  }

  private put(rec: TaskRecord): void {
    this.queued.set(rec.id, rec);
    this.order?.set(rec);
    if (rec.spec?.after?.length) this.dependents.set(rec.id, rec);
    else this.dependents.delete(rec.id);
  }

  private delete(id: string): void {
    this.queued.delete(id);
    this.order?.remove(id);
    this.dependents.delete(id);
  }

  /** The queue in the scheduler's order, with the tasks due by `now` moved to its ready part. */
  ordered(now: number): OrderedQueue {
    if (!this.order) this.order = new OrderedQueue(now, this.queued.values());
    else this.order.promote(now);
    return this.order;
  }

  /** The queued tasks that have an `after` list, in the order they came. */
  withDependencies(): IterableIterator<TaskRecord> {
    return this.dependents.values();
  }

  /** Whether a queued task waits for others (`after`): an end may release or fail it. */
  hasDependents(): boolean {
    return this.dependents.size > 0;
  }

  /** The tools with a queued task that is not one of `running` (a finished run's record can be back already). */
  toolsOf(running: ReadonlyMap<string, unknown>): string[] {
    const counts = new Map(this.order?.perTool ?? []);
    for (const id of running.keys()) {
      const tool = this.queued.get(id)?.spec.tool;
      if (tool !== undefined) counts.set(tool, (counts.get(tool) ?? 0) - 1);
    }
    return [...counts].filter(([, n]) => n > 0).map(([t]) => t);
  }

  get size(): number {
    return this.queued.size;
  }

  values(): TaskRecord[] {
    return [...this.queued.values()];
  }
}
