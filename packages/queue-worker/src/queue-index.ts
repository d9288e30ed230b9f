import { CorruptRecordError } from '@headless/core/queue/store';
import type { TaskRecord } from '@headless/core/task/record';
import type { WorkerContext } from './context.js';

/**
 * The queued records the scheduler chooses from. The worker is the only writer of task state, so a
 * record read once stays right until the worker itself moves it; the folder listing (cheap: ids
 * only) says which are still there and which are new.
 */
export class QueueIndex {
  private readonly queued = new Map<string, TaskRecord>();

  constructor(
    private readonly ctx: WorkerContext,
    private readonly onDamaged: () => Promise<void>,
  ) {}

  async refresh(): Promise<void> {
    const ids = new Set(await this.ctx.store.ids('queued'));
    for (const id of this.queued.keys()) if (!ids.has(id)) this.queued.delete(id);
    let damaged = false;
    for (const id of ids) {
      if (this.queued.has(id)) continue;
      const rec = await this.ctx.store.read('queued', id).catch((err: unknown) => {
        if (!(err instanceof CorruptRecordError)) throw err;
        damaged = true;
        return undefined;
      });
      if (rec) this.queued.set(id, rec);
    }
    // A record torn while the worker runs (a disk error, a hand edit) is handled as recovery would:
    // moved aside and rebuilt from its inbox line, instead of being skipped (and logged) for ever.
    if (damaged) await this.onDamaged();
  }

  /** The worker moved this task (claimed, parked): it is no longer queued. */
  drop(id: string): void {
    this.queued.delete(id);
  }

  /** A task the worker itself put back (a user's retry): read again at the next refresh. */
  forget(id: string): void {
    this.queued.delete(id);
  }

  get size(): number {
    return this.queued.size;
  }

  values(): TaskRecord[] {
    return [...this.queued.values()];
  }
}
