import fs from 'node:fs/promises';
import path from 'node:path';
import type { TaskRecord } from '../task/record.js';
import { fsyncDir, renameWithRetry } from '../fs/atomic.js';
import { faultPoint } from '../fault-points.js';
import { isNotFound } from './store.js';
import {
  EXPANDING_SUFFIX,
  formatSegment,
  parseSegment,
  parseSegmentIds,
  SEGMENT_SUFFIX,
  type ParsedSegment,
} from './segment-format.js';

/** How old a listing of the segments a read-only caller may be given (see `names`). */
const NAMES_TTL_MS = 100;
/** Segments kept parsed in memory (8 × 500 records: the worker's queue index holds them anyway). */
const RECENT_KEPT = 8;

/** Where a segment task is: its stored id and its segment's file name. */
export interface SegmentEntry {
  id: string;
  segment: string;
}

/**
 * The folder store's segment files (see segment-format.ts): written once per accepted batch, read
 * as queued records, and expanded into one file per task when one of their tasks is first changed.
 * Segments are never rewritten, only created and deleted, and their names are unique, so what this
 * process has read of one stays true as long as the file exists.
 */
export class QueueSegments {
  /** Segment name -> the ids its header names (filled on write and on first read). */
  private readonly idsOf = new Map<string, readonly string[]>();
  /**
   * The last segments read or written in full, newest last: readers walk one segment's tasks in a
   * row, and the worker's queue index reads the tasks of the last few batches it ingested.
   */
  private readonly recent = new Map<string, ParsedSegment>();
  private seq = 0;
  private listed: { at: number; names: readonly string[] } | undefined;
  private indexed:
    { key: string; names: readonly string[]; map: ReadonlyMap<string, SegmentEntry> } | undefined;

  constructor(
    readonly dir: string,
    private readonly fsync: boolean,
  ) {}

  file(name: string): string {
    return path.join(this.dir, name);
  }

  async init(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
  }

  /**
   * The segment files, listed again unless `fresh` is false and the last listing is under
   * NAMES_TTL_MS old. This process's own writes, takes and removals update it at once; only
   * another process's changes can be that late, which a reader cannot tell from reading a moment
   * earlier. Whatever changes a task asks for a fresh listing.
   */
  async names(opts: { fresh?: boolean } = {}): Promise<readonly string[]> {
    const listed = this.listed;
    if (opts.fresh === false && listed && performance.now() - listed.at < NAMES_TTL_MS) return listed.names;
    const names = await this.list();
    this.listed = { at: performance.now(), names };
    return names;
  }

  private forget(): void {
    this.listed = undefined;
  }

  private async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
    const live = names.filter((n) => n.endsWith(SEGMENT_SUFFIX) || n.endsWith(EXPANDING_SUFFIX)).sort();
    if (this.idsOf.size > live.length || live.some((n) => !this.idsOf.has(n))) {
      const keep = new Set(live);
      for (const n of this.idsOf.keys()) if (!keep.has(n)) this.idsOf.delete(n);
    }
    return live;
  }

  /**
   * Writes a batch durably as one segment: temp file, one flush, rename, one flush of the folder.
   * Only after this returns may the caller retire the input the records came from.
   */
  async write(records: readonly TaskRecord[]): Promise<string> {
    const name = `${Date.now().toString(36)}-${process.pid}-${(this.seq++).toString(36)}${SEGMENT_SUFFIX}`;
    const tmp = this.file(`.${name}.tmp`);
    const fh = await fs.open(tmp, 'wx');
    try {
      await fh.writeFile(formatSegment(records));
      if (this.fsync) await fh.datasync();
    } finally {
      await fh.close();
    }
    faultPoint('store.segment:after-temp');
    await renameWithRetry(tmp, this.file(name));
    this.forget();
    if (this.fsync) await fsyncDir(this.dir);
    this.idsOf.set(
      name,
      records.map((r) => r.id),
    );
    // Readers (the worker's queue index) walk the new tasks next: no need to parse them back.
    this.remember(name, { records: new Map(records.map((r) => [r.id.toLowerCase(), r])), damaged: [] });
    return name;
  }

  /**
   * Every task named by a segment, by lower-case id (the tasks are queued unless a file shadows
   * them). Built again only when the set of segments changed: readers ask once per record.
   */
  async index(opts: { fresh?: boolean } = {}): Promise<ReadonlyMap<string, SegmentEntry>> {
    return (await this.current(opts)).map;
  }

  /** The index and the segment names it was built from. */
  async current(
    opts: { fresh?: boolean } = {},
  ): Promise<{ names: readonly string[]; map: ReadonlyMap<string, SegmentEntry> }> {
    const names = await this.names(opts);
    const key = names.join('/');
    if (this.indexed?.key === key) return this.indexed;
    const map = new Map<string, SegmentEntry>();
    for (const segment of names) {
      for (const id of await this.idsIn(segment)) {
        const lower = id.toLowerCase();
        if (!map.has(lower)) map.set(lower, { id, segment });
      }
    }
    this.indexed = { key, names, map };
    return this.indexed;
  }

  async idsIn(name: string): Promise<readonly string[]> {
    const known = this.idsOf.get(name);
    if (known) return known;
    const text = await this.readText(name);
    if (text === undefined) return [];
    const head = parseSegmentIds(text);
    // An unreadable header names no task here; repair moves the file aside and reports it.
    const ids = head.ok ? head.ids : [];
    this.idsOf.set(name, ids);
    return ids;
  }

  private async readText(name: string): Promise<string | undefined> {
    try {
      return await fs.readFile(this.file(name), 'utf8');
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private remember(name: string, parsed: ParsedSegment): void {
    this.recent.delete(name);
    this.recent.set(name, parsed);
    for (const old of this.recent.keys()) {
      if (this.recent.size <= RECENT_KEPT) break;
      this.recent.delete(old);
    }
  }

  /** A segment's records (undefined when it is gone), or why it cannot be read at all. */
  async read(name: string): Promise<ParsedSegment | { ok: false; why: string } | undefined> {
    const kept = this.recent.get(name);
    if (kept) return kept;
    const text = await this.readText(name);
    if (text === undefined) return undefined;
    const parsed = parseSegment(text);
    if ('records' in parsed) this.remember(name, parsed);
    return parsed;
  }

  /** A segment task's record; undefined when its segment is gone or its line unreadable. */
  async record(entry: SegmentEntry): Promise<TaskRecord | undefined> {
    const parsed = await this.read(entry.segment);
    return parsed && 'records' in parsed ? parsed.records.get(entry.id.toLowerCase()) : undefined;
  }

  /**
   * Takes a segment for expansion by renaming it to `<name>.expanding`: of two processes that try,
   * one wins, the other gets false. Readers keep seeing its tasks under the new name.
   */
  async take(name: string): Promise<string | undefined> {
    if (name.endsWith(EXPANDING_SUFFIX)) return name;
    const taken = `${name}${EXPANDING_SUFFIX.slice(SEGMENT_SUFFIX.length)}`;
    try {
      await renameWithRetry(this.file(name), this.file(taken));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    } finally {
      this.forget();
    }
    const ids = this.idsOf.get(name);
    if (ids) this.idsOf.set(taken, ids);
    const kept = this.recent.get(name);
    this.recent.delete(name);
    if (kept) this.remember(taken, kept);
    return taken;
  }

  /** Deletes an expanded segment; the folder is flushed so a power loss cannot bring it back. */
  async remove(name: string): Promise<void> {
    await fs.rm(this.file(name), { force: true });
    this.forget();
    if (this.fsync) await fsyncDir(this.dir);
    this.idsOf.delete(name);
    this.recent.delete(name);
  }

  /** Moves an unreadable segment aside (repair), keeping its bytes for the user. */
  async moveAside(name: string, dest: string): Promise<void> {
    await fs.mkdir(path.dirname(dest), { recursive: true });
    await renameWithRetry(this.file(name), dest);
    this.forget();
    this.idsOf.delete(name);
    this.recent.delete(name);
  }

  /** Temp files of segment writes a crash cut short (repair, under the worker lock). */
  async cleanTemp(): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return [];
    }
    const temps = names.filter((n) => n.startsWith('.') && n.endsWith('.tmp'));
    for (const n of temps) await fs.rm(this.file(n), { force: true });
    return temps;
  }
}
