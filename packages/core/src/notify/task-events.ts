import { nextCommand, taskAttention, type TaskAttentionFacts } from '../task/attention.js';
import type { NotifyEvent } from './event.js';

/**
 * The event a task's end gives, if any: `task.failed` for a failure, `task.attention` for one that
 * is blocked on input, suspect or failed by a dependency; nothing for a clean success or a cancel.
 */
export function taskEndEvent(
  t: TaskAttentionFacts & { tool?: string },
  ctx: { root: string; at: string },
): NotifyEvent | undefined {
  const kind = taskAttention(t);
  if (kind === undefined) return undefined;
  const event = kind === 'failed' || kind === 'not_found' ? 'task.failed' : 'task.attention';
  const reason = kind === 'suspect' ? t.suspect : t.reason;
  return {
    v: 1,
    event,
    at: ctx.at,
    root: ctx.root,
    task: t.id,
    ...(t.tool ? { tool: t.tool } : {}),
    ...(reason ? { reason } : {}),
    next: nextCommand(kind, t.id, t.tool),
  };
}

/**
 * The tasks of each inbox file, so `batch.done` goes out when the last of them ends: the worker
 * adds a file's ids when it queues them and reports each task's end. `onChange` hears the open
 * batches' ids after an add and after a batch closes (not after every end: a restart asks the
 * store which tasks ended, see queue-worker/src/batches.ts).
 */
export class BatchTracker {
  private readonly open = new Map<string, { ids: Set<string>; ended: Map<string, string> }>();
  private readonly fileOf = new Map<string, string>();

  /**
   * `onChange` is told that the open batches changed, not given them: a writer that coalesces its
   * writes takes one `snapshot()` per write instead of one per add (a big inbox file is added in chunks).
   */
  constructor(private readonly onChange?: () => void) {}

  /** The open batches' ids (what batches.json holds). */
  snapshot(): Record<string, { ids: string[] }> {
    const out: Record<string, { ids: string[] }> = {};
    for (const [file, b] of this.open) out[file] = { ids: [...b.ids] };
    return out;
  }

  /** The ids queued from one inbox file (call again for lines read later from the same file). */
  add(file: string, ids: readonly string[]): void {
    const b = this.open.get(file) ?? { ids: new Set<string>(), ended: new Map<string, string>() };
    for (const id of ids) {
      b.ids.add(id);
      this.fileOf.set(id, file);
    }
    this.open.set(file, b);
    this.onChange?.();
  }

  /** Reports a task's end (`state`: done, failed, or a shown state); returns the batch.done event when it was the last. */
  ended(id: string, state: string, ctx: { root: string; at: string }): NotifyEvent | undefined {
    const file = this.fileOf.get(id);
    const b = file === undefined ? undefined : this.open.get(file);
    if (file === undefined || !b) return undefined;
    b.ended.set(id, state);
    if (b.ended.size < b.ids.size) return undefined;
    this.open.delete(file);
    for (const i of b.ids) this.fileOf.delete(i);
    this.onChange?.();
    const counts: Record<string, number> = {};
    for (const s of b.ended.values()) counts[s] = (counts[s] ?? 0) + 1;
    return { v: 1, event: 'batch.done', at: ctx.at, root: ctx.root, file, tasks: [...b.ids], counts };
  }
}
