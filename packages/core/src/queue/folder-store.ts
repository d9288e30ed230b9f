import fs from 'node:fs/promises';
import path from 'node:path';
import type { TaskRecord, TaskState } from '../task/record.js';
import { TASK_STATES } from '../task/record.js';
import { parseTaskRecord } from '../task/record-schema.js';
import { assertMove } from '../task/state-machine.js';
import { fsyncDir, renameWithRetry, writeFileAtomic } from '../fs/atomic.js';
import { systemClock, type Clock } from '../clock.js';
import { faultPoint } from '../fault-points.js';
import { ensureRuntimeFolder } from '../fs/runtime-ignore.js';
import {
  CorruptRecordError,
  isNotFound,
  MissingTaskError,
  type Counts,
  type EnqueueOutcome,
  type NewRecord,
  type QueueStore,
  type RejectedLine,
  type RepairReport,
} from './store.js';
import { mapLimit } from './map-limit.js';
import { RejectedLines } from './folder-rejected.js';
import { repairFolders } from './folder-repair.js';
import { parsedRecords, readRecordFiles } from './record-files.js';
import { findKnownId, type KnownIds } from './id-index.js';
import { TaskSerial } from './task-serial.js';
import { exists, renameTaskFile } from './folder-rename.js';
import { fileIdsIn, fileStateOf, idsInFolder } from './folder-ids.js';
import { planEnqueue } from './enqueue-plan.js';
import { QueueSegments } from './folder-segments.js';
import { SegmentView } from './segment-view.js';
import { repairSegments } from './segment-repair.js';

export { CorruptRecordError, MissingTaskError, isNotFound } from './store.js';

export interface FolderStoreOptions {
  clock?: Clock;
  /** false: no flushes at all (tests and benchmarks that measure without durability). */
  fsync?: boolean;
  /** Kept inbox files, from which `repair` rebuilds torn records. */
  ingestedDir?: string;
  /**
   * Batches of at least this many new tasks are stored as one segment file (one flush for the
   * batch) instead of one file each; 0 never. Smaller batches get files at once: their first claim
   * then costs no expansion.
   */
  segmentMin?: number;
}

/** The default `segmentMin`: a file of a few tasks keeps one file per task. */
export const SEGMENT_MIN = 64;

/**
 * The embedded queue: one JSON file per task, and the folder it is in is its state
 * (`.tasks/<state>/<id>.json`). Every move is one rename, so a crash at any instant leaves the task
 * in one folder. A move writes the new content first and then renames; only the claim renames first
 * (the rename is what takes the task) and then rewrites. `repair` reconciles the window either order
 * leaves: a file whose content names another state.
 */
export class FolderStore implements QueueStore {
  private readonly clock: Clock;
  private readonly fsync: boolean;
  private readonly rejected: RejectedLines;
  private readonly serial = new TaskSerial();
  /**
   * The records this store itself last wrote to `processing` (claims, pid and session updates), by
   * lower-case id: the next change of such a task starts from them instead of reading the file
   * back. Only the task's owner writes a processing record (the one-owner rule), so the file holds
   * exactly this; a change still checks that the file is there, so a task moved away by someone else
   * is never written back.
   */
  private readonly held = new Map<string, TaskRecord>();
  private readonly ingestedDir: string;
  private readonly segmentMin: number;
  private readonly segments: QueueSegments;
  private readonly view: SegmentView;
  /** `init` has run (see `initOnce`). */
  private ready = false;

  constructor(
    readonly tasksDir: string,
    opts: FolderStoreOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.fsync = opts.fsync ?? true;
    this.ingestedDir = opts.ingestedDir ?? path.join(tasksDir, 'ingested');
    this.rejected = new RejectedLines(path.join(tasksDir, 'quarantine', 'lines'), this.fsync);
    this.segmentMin = opts.segmentMin ?? SEGMENT_MIN;
    this.segments = new QueueSegments(path.join(tasksDir, 'segments'), this.fsync);
    this.view = new SegmentView({
      segments: this.segments,
      fileIds: () => fileIdsIn(this.tasksDir),
      hasFile: async (id) => (await fileStateOf(this.tasksDir, id)) !== undefined,
      writeQueued: (rec) => this.write('queued', rec, true, false),
      syncQueued: () => (this.fsync ? fsyncDir(this.dir('queued')) : Promise.resolve()),
    });
  }

  private dir(state: TaskState): string {
    return path.join(this.tasksDir, state);
  }

  private file(state: TaskState, id: string): string {
    return path.join(this.dir(state), `${id}.json`);
  }

  /** Where a task's record lives, for messages only (never to be opened by others). */
  describe(state: TaskState, id: string): string {
    return this.file(state, id);
  }

  async init(): Promise<void> {
    // Inside a git work tree the queue gets a `*` .gitignore: an agent's `git add -A` never commits it.
    await ensureRuntimeFolder(this.tasksDir);
    await Promise.all([
      ...TASK_STATES.map((s) => fs.mkdir(this.dir(s), { recursive: true })),
      fs.mkdir(path.join(this.tasksDir, 'archive'), { recursive: true }),
    ]);
    await this.rejected.init();
    await this.segments.init();
    this.ready = true;
  }

  /** `init` once per store, and again after a failed enqueue: a folder removed under a worker comes back. */
  private async initOnce(): Promise<void> {
    if (!this.ready) await this.init();
  }

  async repair(now: Date): Promise<RepairReport> {
    this.held.clear();
    const report = await repairFolders({
      tasksDir: this.tasksDir,
      ingestedDir: this.ingestedDir,
      now,
      fsync: this.fsync,
      read: (state, id) => this.readRecord(state, id).catch(() => undefined),
      write: (state, rec) => this.write(state, rec),
    });
    await repairSegments(
      {
        tasksDir: this.tasksDir,
        ingestedDir: this.ingestedDir,
        now,
        segments: this.segments,
        view: this.view,
        fileIds: () => fileIdsIn(this.tasksDir),
        writeQueued: (rec) => this.write('queued', rec),
      },
      report,
    );
    return report;
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  read(state: TaskState, id: string): Promise<TaskRecord | undefined> {
    return this.readRecord(state, id, false);
  }

  /** `fresh`: list the segments again (whatever changes a task); see QueueSegments.names. */
  private async readRecord(state: TaskState, id: string, fresh = true): Promise<TaskRecord | undefined> {
    // A task still in its batch's segment has no file: no failed open per segment task.
    const inSegment = state === 'queued' ? await this.view.read(id, { fresh }) : undefined;
    if (inSegment) return inSegment;
    let text: string;
    try {
      text = await fs.readFile(this.file(state, id), 'utf8');
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw new CorruptRecordError(this.file(state, id), String(err));
    }
    const parsed = parseTaskRecord(text, id);
    if (!parsed.ok) throw new CorruptRecordError(this.file(state, id), parsed.why);
    return parsed.record;
  }

  private async write(state: TaskState, rec: TaskRecord, durable = true, syncDir = true): Promise<void> {
    await writeFileAtomic(this.file(state, rec.id), `${JSON.stringify(rec, null, 1)}\n`, {
      fsync: this.fsync && durable,
      syncDir,
    });
  }

  private bump(rec: TaskRecord, to: TaskState): TaskRecord {
    return { ...rec, state: to, rev: rec.rev + 1, updatedAt: this.now() };
  }

  async move(
    id: string,
    from: TaskState,
    to: TaskState,
    patch: (rec: TaskRecord) => TaskRecord,
    opts: { durable?: boolean } = {},
  ): Promise<TaskRecord> {
    return this.oneAtATime(id, () => this.moveNow(id, from, to, patch, opts.durable ?? true, false));
  }

  /**
   * The record as it is in `state` now: the one this store last wrote there (see `held`) once the
   * file is seen to exist, else read from disk.
   */
  private async current(state: TaskState, id: string): Promise<TaskRecord | undefined> {
    const mine = state === 'processing' ? this.held.get(id.toLowerCase()) : undefined;
    if (mine?.id === id) return (await exists(this.file(state, id))) ? mine : undefined;
    return this.readRecord(state, id);
  }

  /** Remembers (or, with undefined, forgets) what this store wrote to processing. */
  private hold(id: string, rec: TaskRecord | undefined): void {
    if (rec?.state === 'processing') this.held.set(id.toLowerCase(), rec);
    else this.held.delete(id.toLowerCase());
  }

  /** One change of a task at a time in this process (see TaskSerial). */
  private oneAtATime<T>(id: string, fn: () => Promise<T>): Promise<T> {
    // A change that failed half-way leaves the file in a state this store did not see: read it next time.
    return this.serial.run(id, () =>
      fn().catch((err: unknown) => {
        this.held.delete(id.toLowerCase());
        throw err;
      }),
    );
  }

  /**
   * Every stored id, right also for a task this store moves while the folders are listed: a rename
   * after its old folder was listed and before its new one was hides it from both listings, and an
   * id submitted again in that moment would be stored a second time. Such a task is looked up
   * again alone once its change is done.
   */
  private async knownIdsSteady(): Promise<KnownIds> {
    const { value: index, changed } = await this.serial.watching(() => this.knownIds());
    for (const id of changed) {
      const state = await this.serial.run(id, () => fileStateOf(this.tasksDir, id));
      if (state) index.set(id.toLowerCase(), { id, state });
    }
    return index;
  }

  /**
   * Content first, then the rename: a crash between the two leaves a file whose content names its
   * destination, and `repair` finishes the move with the patch intact. Only the claim renames first
   * (`renameFirst`): there the rename is what takes the task, so of two claimers one gets ENOENT;
   * a crash after it leaves a claim-less record in processing, which recovery puts back uncounted.
   */
  private async moveNow(
    id: string,
    from: TaskState,
    to: TaskState,
    patch: (rec: TaskRecord) => TaskRecord,
    durable: boolean,
    renameFirst: boolean,
    known?: TaskRecord,
  ): Promise<TaskRecord> {
    assertMove(id, from, to);
    if (from === 'queued') await this.view.materialise(id);
    const src = this.file(from, id);
    const dst = this.file(to, id);
    if (!renameFirst) {
      const cur = await this.current(from, id);
      if (!cur) throw new MissingTaskError(id, from);
      const next = patch(this.bump(cur, to));
      // Data flushed here; one flush of the destination folder covers both renames (journal order).
      await this.write(from, next, durable, false);
      faultPoint('store.move:after-write');
      await this.rename(src, dst, id, from, durable);
      this.hold(id, next);
      return next;
    }
    await this.rename(src, dst, id, from, false);
    faultPoint('store.move:after-rename');
    // The caller's copy of the queued record (the worker's queue index) spares reading it back.
    const cur = known?.id === id && known.state === from ? known : await this.readRecord(to, id);
    if (!cur) throw new MissingTaskError(id, to);
    const next = patch(this.bump(cur, to));
    await this.write(to, next, durable);
    this.hold(id, next);
    return next;
  }

  private rename(src: string, dst: string, id: string, from: TaskState, syncDir: boolean): Promise<void> {
    return renameTaskFile(src, dst, id, from, this.fsync && syncDir);
  }

  async claim(
    id: string,
    patch: (rec: TaskRecord) => TaskRecord,
    opts: { known?: TaskRecord } = {},
  ): Promise<TaskRecord | null> {
    try {
      // The rename is the claim: of two claimers, one gets ENOENT. Not flushed to disk: a process
      // crash keeps it (the file system has it); a power loss may undo it, and the task then simply
      // runs again. A flush here would double the cost of a trivial task.
      return await this.oneAtATime(id, () =>
        this.moveNow(id, 'queued', 'processing', patch, false, true, opts.known),
      );
    } catch (err) {
      if (err instanceof MissingTaskError) return null;
      throw err;
    }
  }

  enqueue(items: readonly NewRecord[]): Promise<EnqueueOutcome[]> {
    return this.enqueueNow(items).catch((err: unknown) => {
      this.ready = false;
      throw err;
    });
  }

  private async enqueueNow(items: readonly NewRecord[]): Promise<EnqueueOutcome[]> {
    await this.initOnce();
    const { outcomes, toWrite } = await planEnqueue(items, {
      known: await this.knownIdsSteady(),
      read: (state, id) => this.readRecord(state, id),
      archive: (state, id) => this.archive(state, id),
    });
    // Callers move their input away only after this returns: the records are on disk by then.
    if (this.segmentMin > 0 && toWrite.length >= this.segmentMin) {
      // A big batch: one segment file, one flush for all of it (files come at the first claim).
      this.view.wrote(await this.segments.write(toWrite));
      faultPoint('store.enqueue:after-write');
      return outcomes;
    }
    // Each record's data is flushed; the folder once for the whole batch (one fsync instead of one per task).
    await mapLimit(toWrite, 16, (rec) => this.write('queued', rec, true, false));
    faultPoint('store.enqueue:after-write');
    if (this.fsync && toWrite.length > 0) await fsyncDir(this.dir('queued'));
    return outcomes;
  }

  async retire(state: 'done' | 'failed', id: string, how: 'delete' | 'archive'): Promise<boolean> {
    // Checked at run time too: a caller outside TypeScript must not retire a live task.
    if (state !== 'done' && state !== 'failed')
      throw new Error(`only finished tasks are retired, not ${String(state)}`);
    try {
      if (how === 'archive') await this.archive(state, id);
      else await fs.rm(this.file(state, id));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  private async archive(state: TaskState, id: string): Promise<void> {
    const stamp = this.now().replace(/[:.]/g, '-');
    await renameWithRetry(this.file(state, id), path.join(this.tasksDir, 'archive', `${id}.${stamp}.json`));
  }

  /** Every stored id: files, and the queued tasks still only in a segment. */
  private async knownIds(): Promise<KnownIds> {
    const index = await fileIdsIn(this.tasksDir);
    for (const [key, e] of await this.view.live(() => Promise.resolve(index)))
      index.set(key, { id: e.id, state: 'queued' });
    return index;
  }

  async update(
    id: string,
    state: TaskState,
    patch: (rec: TaskRecord) => TaskRecord,
    opts: { durable?: boolean } = {},
  ): Promise<TaskRecord> {
    return this.oneAtATime(id, async () => {
      if (state === 'queued') await this.view.materialise(id);
      const cur = await this.current(state, id);
      if (!cur) throw new MissingTaskError(id, state);
      const next = patch({ ...cur, rev: cur.rev + 1, updatedAt: this.now() });
      await this.write(state, next, opts.durable ?? true);
      if (state === 'processing') this.hold(id, next);
      return next;
    });
  }

  /**
   * Looks in each folder in turn. A record that moves to a folder already looked in (a retry back
   * to `queued`) is missed by that pass, so a miss looks once more: a rename is atomic, and a task
   * that moved once during the first pass is where the second finds it.
   */
  async get(id: string): Promise<{ state: TaskState; record: TaskRecord } | undefined> {
    return (await this.findIn(id)) ?? (await this.findIn(id));
  }

  private async findIn(id: string): Promise<{ state: TaskState; record: TaskRecord } | undefined> {
    for (const state of TASK_STATES) {
      const record = await this.read(state, id);
      if (record) return { state, record };
    }
    return undefined;
  }

  async lookup(id: string): Promise<{ id: string; state: TaskState } | undefined> {
    return findKnownId(await this.knownIds(), id);
  }

  async list(state: TaskState, opts: { writtenSinceMs?: number } = {}): Promise<TaskRecord[]> {
    const ids = await idsInFolder(this.tasksDir, state);
    // No segment outside queued/: the files, read in synchronous batches (record-files.ts).
    if (state !== 'queued')
      return parsedRecords(
        await readRecordFiles(
          ids.map((id) => ({ id, file: this.file(state, id) })),
          opts,
        ),
      );
    const recs = await mapLimit(ids, 32, (id) => this.read(state, id).catch(() => undefined));
    const own = recs.filter((r): r is TaskRecord => r !== undefined);
    return state === 'queued' && (await this.segments.names()).length > 0
      ? [...own, ...(await this.view.list({ fresh: false }))]
      : own;
  }

  async ids(state: TaskState): Promise<string[]> {
    const own = await idsInFolder(this.tasksDir, state);
    if (state !== 'queued' || (await this.segments.names()).length === 0) return own;
    return [...own, ...[...(await this.view.live(undefined, { fresh: false })).values()].map((e) => e.id)];
  }

  async counts(): Promise<Counts> {
    const [queued, processing, done, failed, quarantine, lines] = await Promise.all([
      this.ids('queued'),
      this.ids('processing'),
      this.ids('done'),
      this.ids('failed'),
      this.ids('quarantine'),
      this.rejected.keys(),
    ]);
    return {
      queued: queued.length,
      processing: processing.length,
      done: done.length,
      failed: failed.length,
      quarantine: quarantine.length + lines.length,
    };
  }

  rejectLine(rejected: RejectedLine): Promise<{ key: string; created: boolean }> {
    return this.rejected.add(rejected);
  }

  listRejected(): Promise<(RejectedLine & { key: string })[]> {
    return this.rejected.list();
  }

  removeRejected(key: string): Promise<void> {
    return this.rejected.remove(key);
  }
}
