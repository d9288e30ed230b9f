import { MissingTaskError } from '@headless/core/queue/store';
import type { TaskRecord } from '@headless/core/task/record';
import type { WorkerContext } from './context.js';

/**
 * Tasks parked in quarantine by an open breaker: parked when their tool's breaker is open, released
 * when it half-opens. The worker is the only writer, so what it parked it knows; the folder listing
 * is read at boot (and after a restart) to find tasks parked before.
 */
export class ParkedTasks {
  /** id -> tool, for breaker-parked tasks. */
  private readonly parked = new Map<string, string>();
  private loaded = false;

  constructor(private readonly ctx: WorkerContext) {}

  private async load(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    for (const rec of await this.ctx.store.list('quarantine')) {
      if (rec.quarantineKind === 'breaker') this.parked.set(rec.id, rec.spec.tool);
    }
  }

  reason(tool: string): string {
    const v = this.ctx.registry.breakers.view(tool);
    return `${tool} breaker open${v.openUntil ? ` until ${v.openUntil}` : ''}: ${v.lastReason ?? 'repeated failures'}`;
  }

  /** A queued task whose tool's breaker is open. */
  async park(rec: TaskRecord): Promise<void> {
    try {
      await this.ctx.transitions.park(rec.id, this.reason(rec.spec.tool), 'breaker');
      this.parked.set(rec.id, rec.spec.tool);
    } catch (err) {
      if (!(err instanceof MissingTaskError)) throw err;
    }
  }

  /** An attempt that the breaker refused (already moved by its end transition). */
  note(id: string, tool: string): void {
    this.parked.set(id, tool);
  }

  /** A parked task that left quarantine another way (a user's retry or cancel). */
  forget(id: string): void {
    this.parked.delete(id);
  }

  async releaseReady(): Promise<void> {
    await this.load();
    for (const [id, tool] of [...this.parked]) {
      if (this.ctx.registry.breakers.view(tool).state === 'open') continue;
      this.parked.delete(id);
      try {
        await this.ctx.transitions.release(id, `${tool} breaker half-open: trying again`);
      } catch (err) {
        if (!(err instanceof MissingTaskError)) throw err;
      }
    }
  }

  /** When the earliest parked tool's breaker half-opens (ms), to wake up then. */
  async nextWake(): Promise<number | undefined> {
    await this.load();
    let next: number | undefined;
    for (const tool of new Set(this.parked.values())) {
      const until = this.ctx.registry.breakers.view(tool).openUntil;
      if (until) next = Math.min(next ?? Infinity, Date.parse(until));
    }
    return next;
  }
}
