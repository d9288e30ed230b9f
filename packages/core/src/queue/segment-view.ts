import type { TaskRecord } from '../task/record.js';
import { faultPoint } from '../fault-points.js';
import type { KnownIds } from './id-index.js';
import { mapLimit } from './map-limit.js';
import type { QueueSegments, SegmentEntry } from './folder-segments.js';
import { EXPANDING_SUFFIX } from './segment-format.js';

export interface SegmentViewDeps {
  segments: QueueSegments;
  /** Every id with a per-task file in some state folder (lower case). */
  fileIds(): Promise<KnownIds>;
  /** Whether a per-task file of this id exists in any state folder. */
  hasFile(id: string): Promise<boolean>;
  /** Writes a queued record as its own file, data flushed (the folder is flushed by `syncQueued`). */
  writeQueued(rec: TaskRecord): Promise<void>;
  syncQueued(): Promise<void>;
}

/**
 * The segments as the rest of the folder store sees them: queued tasks that have no file of their
 * own yet. A task's own file, in any state folder, always wins over its segment line (a segment
 * whose expansion a crash cut short still names tasks that have moved on since).
 */
export class SegmentView {
  /** Expansions in flight in this process, by segment name. */
  private readonly expanding = new Map<string, Promise<void>>();
  /**
   * Segments known to have no task with a file of its own. That stays true while the segment
   * keeps its name: files of its tasks are written only by an expansion, which renames it first.
   */
  private readonly clean = new Set<string>();

  constructor(private readonly deps: SegmentViewDeps) {}

  /** A segment this process wrote after checking its ids against every stored one. */
  wrote(segment: string): void {
    this.clean.add(segment);
  }

  /** Segment tasks no file shadows, by lower-case id. Lists the state folders only when one may be. */
  async live(
    files?: () => Promise<KnownIds>,
    opts: { fresh?: boolean } = {},
  ): Promise<Map<string, SegmentEntry>> {
    const { names, map: index } = await this.deps.segments.current(opts);
    const out = new Map<string, SegmentEntry>();
    if (index.size === 0) return out;
    await this.checkClean(names, files);
    let shadow: KnownIds | undefined;
    for (const [key, entry] of index) {
      if (!this.clean.has(entry.segment)) {
        shadow ??= await (files ?? (() => this.deps.fileIds()))();
        if (shadow.has(key)) continue;
      }
      out.set(key, entry);
    }
    return out;
  }

  /** Marks the segments (not being expanded) none of whose tasks has a file. */
  private async checkClean(names: readonly string[], files?: () => Promise<KnownIds>): Promise<void> {
    const unchecked = names.filter((n) => !this.clean.has(n) && !n.endsWith(EXPANDING_SUFFIX));
    if (unchecked.length === 0) return;
    const shadow = await (files ?? (() => this.deps.fileIds()))();
    for (const name of unchecked) {
      const ids = await this.deps.segments.idsIn(name);
      if (!ids.some((id) => shadow.has(id.toLowerCase()))) this.clean.add(name);
    }
  }

  /** The segment that holds `id` as a queued task, if one does (`fresh`: see QueueSegments.names). */
  async entry(id: string, opts: { fresh?: boolean } = {}): Promise<SegmentEntry | undefined> {
    const { names, map: index } = await this.deps.segments.current(opts);
    const found = index.get(id.toLowerCase());
    if (!found) return undefined;
    await this.checkClean(names);
    if (!this.clean.has(found.segment) && (await this.deps.hasFile(found.id))) return undefined;
    return found;
  }

  /** A queued task's record from its segment (a task in a segment has no file of its own). */
  async read(id: string, opts: { fresh?: boolean } = {}): Promise<TaskRecord | undefined> {
    const found = await this.entry(id, opts);
    return found ? this.deps.segments.record(found) : undefined;
  }

  async list(opts: { fresh?: boolean } = {}): Promise<TaskRecord[]> {
    const out: TaskRecord[] = [];
    for (const entry of (await this.live(undefined, opts)).values()) {
      const rec = await this.deps.segments.record(entry);
      if (rec) out.push(rec);
    }
    return out;
  }

  /** Before a queued task changes: gives it (and the rest of its segment) files of their own. */
  async materialise(id: string): Promise<void> {
    const found = await this.entry(id);
    if (found) await this.expand(found.segment);
  }

  /**
   * Expands one segment, once per process at a time (later callers wait for the first). A segment
   * another process had taken (`.expanding`) is finished only by repair (`resume`), under the
   * worker lock: it may still be at work on it.
   */
  expand(segment: string, opts: { resume?: boolean } = {}): Promise<void> {
    const key = segment.replace(/\.expanding$/, '');
    const running = this.expanding.get(key);
    if (running) return running;
    if (segment !== key && !opts.resume) return Promise.resolve();
    const run = this.expandNow(segment).finally(() => this.expanding.delete(key));
    this.expanding.set(key, run);
    return run;
  }

  /**
   * Rename to `.expanding` (the one process that wins expands it), write each task not yet in a
   * folder as its own file (data flushed, then the folder once), then delete the segment. A crash
   * at any step leaves the `.expanding` segment for repair, which finishes the same steps; the task
   * files already written shadow their lines, so nothing is written twice.
   */
  private async expandNow(segment: string): Promise<void> {
    const taken = await this.deps.segments.take(segment);
    if (!taken) return; // another process took it: its tasks appear as files
    faultPoint('store.expand:after-take');
    const parsed = await this.deps.segments.read(taken);
    if (!parsed || !('records' in parsed)) return; // unreadable: left for repair
    const files = await this.deps.fileIds();
    const todo = [...parsed.records.values()].filter((r) => !files.has(r.id.toLowerCase()));
    await mapLimit(todo, 16, (rec) => this.deps.writeQueued(rec));
    if (todo.length > 0) await this.deps.syncQueued();
    faultPoint('store.expand:after-files');
    // A segment with damaged lines stays (shadowed where it was readable) for repair to rebuild the rest.
    if (parsed.damaged.length === 0) await this.deps.segments.remove(taken);
  }
}
