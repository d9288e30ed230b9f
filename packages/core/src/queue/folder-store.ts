import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AttemptSummary, TaskRecord, TaskState } from '../task/record.js';
import { TASK_STATES } from '../task/record.js';
import { assertMove } from '../task/state-machine.js';
import { fsyncDir, renameWithRetry, writeFileAtomic } from '../fs/atomic.js';
import { systemClock, type Clock } from '../clock.js';
import type {
  Counts,
  EnqueueItem,
  EnqueueOutcome,
  QuarantineKind,
  QueueStore,
  RejectedLine,
} from './store.js';
import { mapLimit } from './map-limit.js';

const HISTORY_KEPT = 10;

/**
 * The embedded queue: one JSON file per task, and the folder it is in is its state
 * (`.tasks/<state>/<id>.json`). Every move is one rename, so a crash at any instant leaves the task
 * in exactly one folder. Content is rewritten before the move when the caller owns the task (its
 * worker, for a processing task) and after it otherwise (the rename is then what takes ownership).
 * Recovery reconciles the only window that can be torn: a renamed file whose content still names
 * the old state.
 */
export class FolderStore implements QueueStore {
  private readonly clock: Clock;
  private readonly fsync: boolean;

  constructor(
    readonly tasksDir: string,
    opts: { clock?: Clock; fsync?: boolean } = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.fsync = opts.fsync ?? true;
  }

  dir(state: TaskState): string {
    return path.join(this.tasksDir, state);
  }

  private file(state: TaskState, id: string): string {
    return path.join(this.dir(state), `${id}.json`);
  }

  private get linesDir(): string {
    return path.join(this.tasksDir, 'quarantine', 'lines');
  }

  private get archiveDir(): string {
    return path.join(this.tasksDir, 'archive');
  }

  async init(): Promise<void> {
    for (const s of TASK_STATES) await fs.mkdir(this.dir(s), { recursive: true });
    await fs.mkdir(this.linesDir, { recursive: true });
    await fs.mkdir(this.archiveDir, { recursive: true });
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  async read(state: TaskState, id: string): Promise<TaskRecord | undefined> {
    try {
      return JSON.parse(await fs.readFile(this.file(state, id), 'utf8')) as TaskRecord;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw new CorruptRecordError(this.file(state, id), err);
    }
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

  /**
   * Moves a task between folders. Owned moves (from processing) write the new content first and then
   * rename; unowned moves rename first (losing a race gives ENOENT, reported as MissingTaskError).
   */
  /**
   * Moves a task between folders. Owned moves (from processing) write the new content first and then
   * rename; unowned moves rename first (losing a race gives ENOENT, reported as MissingTaskError).
   * `durable: false` skips every flush: the move survives a process crash (the file system has it)
   * but maybe not a power loss, after which recovery treats the task as interrupted and runs it
   * again (at-least-once). Only the claim takes that shortcut; see docs/reliability.md.
   */
  async move(
    id: string,
    from: TaskState,
    to: TaskState,
    mutate: (rec: TaskRecord) => TaskRecord,
    opts: { durable?: boolean } = {},
  ): Promise<TaskRecord> {
    assertMove(id, from, to);
    const durable = opts.durable ?? true;
    const src = this.file(from, id);
    const dst = this.file(to, id);
    if (from === 'processing') {
      const cur = await this.read(from, id);
      if (!cur) throw new MissingTaskError(id, from);
      const next = mutate(this.bump(cur, to));
      // The data is flushed here; one flush of the destination folder below covers both renames
      // (the journal keeps metadata changes in order).
      await this.write(from, next, durable, false);
      await this.rename(src, dst, id, from, durable);
      return next;
    }
    await this.rename(src, dst, id, from, false);
    const cur = await this.read(to, id);
    if (!cur) throw new MissingTaskError(id, to);
    const next = mutate(this.bump(cur, to));
    await this.write(to, next, durable);
    return next;
  }

  private async rename(
    src: string,
    dst: string,
    id: string,
    from: TaskState,
    syncDir: boolean,
  ): Promise<void> {
    try {
      await fs.access(dst);
      throw new Error(`task ${id}: ${dst} already exists; refusing to overwrite it`);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    try {
      await renameWithRetry(src, dst);
    } catch (err) {
      if (isNotFound(err)) throw new MissingTaskError(id, from);
      throw err;
    }
    // Without flushing the folder entry a power loss could bring the old location back.
    if (this.fsync && syncDir) await fsyncDir(path.dirname(dst));
  }

  async enqueue(items: readonly EnqueueItem[]): Promise<EnqueueOutcome[]> {
    await this.init();
    const known = await this.idIndex();
    const outcomes: EnqueueOutcome[] = [];
    const toWrite: TaskRecord[] = [];
    const inBatch = new Set<string>();
    for (const item of items) {
      const { spec } = item;
      const state = known.get(spec.id);
      if (inBatch.has(spec.id)) {
        outcomes.push({
          id: spec.id,
          result: 'known',
          state: 'queued',
          reason: `duplicate id ${spec.id} earlier in the same input`,
        });
        continue;
      }
      if (state) {
        const existing = await this.read(state, spec.id);
        const src = existing?.source;
        if (
          src &&
          item.source &&
          src.file === item.source.file &&
          src.line === item.source.line &&
          src.hash === item.source.hash
        ) {
          outcomes.push({ id: spec.id, result: 'replayed' });
          continue;
        }
        if (!spec.rerun || state === 'queued' || state === 'processing') {
          outcomes.push({
            id: spec.id,
            result: 'known',
            state,
            reason: spec.rerun
              ? `task ${spec.id} is still ${state}; "rerun" applies only to finished tasks`
              : `task ${spec.id} already exists (${state}); set "rerun": true to run it again`,
          });
          continue;
        }
        await this.archive(state, spec.id);
      }
      const now = this.now();
      const rec: TaskRecord = {
        id: spec.id,
        spec,
        state: 'queued',
        attempts: 0,
        crashes: 0,
        ...(spec.not_before ? { notBefore: new Date(spec.not_before).toISOString() } : {}),
        enqueuedAt: now,
        updatedAt: now,
        rev: 1,
        ...(item.source ? { source: item.source } : {}),
        history: [],
      };
      inBatch.add(spec.id);
      toWrite.push(rec);
      outcomes.push({ id: spec.id, result: 'queued' });
    }
    // Each record's data is flushed; the folder once for the whole batch (one fsync instead of one
    // per task). Callers move their input away only after this returns.
    await mapLimit(toWrite, 16, (rec) => this.write('queued', rec, true, false));
    if (this.fsync && toWrite.length > 0) await fsyncDir(this.dir('queued'));
    return outcomes;
  }

  private async archive(state: TaskState, id: string): Promise<void> {
    await fs.mkdir(this.archiveDir, { recursive: true });
    const stamp = this.now().replace(/[:.]/g, '-');
    await renameWithRetry(this.file(state, id), path.join(this.archiveDir, `${id}.${stamp}.json`));
  }

  private async idIndex(): Promise<Map<string, TaskState>> {
    const index = new Map<string, TaskState>();
    for (const s of TASK_STATES) for (const id of await this.ids(s)) index.set(id, s);
    return index;
  }

  async claim(id: string, owner: { workerPid: number; workerStart?: string }): Promise<TaskRecord | null> {
    try {
      // The rename is the claim: of two claimers, one gets ENOENT. The attempt is counted right after,
      // before any tool starts; a crash between the two leaves an uncounted claim that recovery requeues.
      // Not flushed to disk: a process crash keeps it (the file system has it); a power loss may undo it,
      // and the task then simply runs again. A flush here would double the cost of a trivial task.
      return await this.move(
        id,
        'queued',
        'processing',
        (rec) => ({
          ...rec,
          attempts: rec.attempts + 1,
          claim: {
            workerPid: owner.workerPid,
            claimedAt: rec.updatedAt,
            ...(owner.workerStart ? { workerStart: owner.workerStart } : {}),
          },
        }),
        { durable: false },
      );
    } catch (err) {
      if (err instanceof MissingTaskError) return null;
      throw err;
    }
  }

  async update(
    id: string,
    state: TaskState,
    patch: (rec: TaskRecord) => TaskRecord,
    opts: { durable?: boolean } = {},
  ): Promise<TaskRecord> {
    const cur = await this.read(state, id);
    if (!cur) throw new MissingTaskError(id, state);
    const next = patch({ ...cur, rev: cur.rev + 1, updatedAt: this.now() });
    await this.write(state, next, opts.durable ?? true);
    return next;
  }

  complete(id: string, attempt: AttemptSummary): Promise<TaskRecord> {
    return this.move(id, 'processing', 'done', (rec) => withAttempt(dropClaim(rec), attempt, undefined));
  }

  fail(id: string, from: TaskState, reason: string, attempt?: AttemptSummary): Promise<TaskRecord> {
    return this.move(id, from, 'failed', (rec) => withAttempt(dropClaim(rec), attempt, reason));
  }

  schedule(
    id: string,
    from: TaskState,
    notBefore: Date,
    reason: string,
    patch: (rec: TaskRecord) => TaskRecord = (r) => r,
  ): Promise<TaskRecord> {
    return this.move(id, from, 'queued', (rec) =>
      patch({ ...dropClaim(rec), notBefore: notBefore.toISOString(), reason }),
    );
  }

  quarantine(
    id: string,
    from: TaskState,
    reason: string,
    kind: QuarantineKind,
    attempt?: AttemptSummary,
  ): Promise<TaskRecord> {
    return this.move(id, from, 'quarantine', (rec) => ({
      ...withAttempt(dropClaim(rec), attempt, reason),
      quarantineKind: kind,
    }));
  }

  async get(id: string): Promise<{ state: TaskState; record: TaskRecord } | undefined> {
    for (const state of TASK_STATES) {
      const record = await this.read(state, id);
      if (record) return { state, record };
    }
    return undefined;
  }

  async list(state: TaskState): Promise<TaskRecord[]> {
    const ids = await this.ids(state);
    const recs = await mapLimit(ids, 32, (id) => this.read(state, id));
    return recs.filter((r): r is TaskRecord => r !== undefined);
  }

  async ids(state: TaskState): Promise<string[]> {
    try {
      const names = await fs.readdir(this.dir(state));
      return names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length));
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
  }

  async counts(): Promise<Counts> {
    const [queued, processing, done, failed, quarantine, lines] = await Promise.all([
      this.ids('queued'),
      this.ids('processing'),
      this.ids('done'),
      this.ids('failed'),
      this.ids('quarantine'),
      this.rejectedKeys(),
    ]);
    return {
      queued: queued.length,
      processing: processing.length,
      done: done.length,
      failed: failed.length,
      quarantine: quarantine.length + lines.length,
    };
  }

  async rejectLine(rejected: RejectedLine): Promise<string> {
    await fs.mkdir(this.linesDir, { recursive: true });
    const safeFile = rejected.file.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80);
    // The key depends on the line's content, so reading the same inbox file again after a crash
    // rewrites the same entry instead of adding a second one.
    const digest = createHash('sha256')
      .update(`${rejected.raw}\n${rejected.reason}`)
      .digest('hex')
      .slice(0, 10);
    const key = `${safeFile}--L${rejected.line}--${digest}`;
    await writeFileAtomic(path.join(this.linesDir, `${key}.json`), `${JSON.stringify(rejected, null, 1)}\n`, {
      fsync: this.fsync,
    });
    return key;
  }

  private async rejectedKeys(): Promise<string[]> {
    try {
      return (await fs.readdir(this.linesDir)).filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5));
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
  }

  async listRejected(): Promise<(RejectedLine & { key: string })[]> {
    const keys = await this.rejectedKeys();
    const out: (RejectedLine & { key: string })[] = [];
    for (const key of keys.sort()) {
      try {
        const r = JSON.parse(
          await fs.readFile(path.join(this.linesDir, `${key}.json`), 'utf8'),
        ) as RejectedLine;
        out.push({ ...r, key });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return out;
  }

  async removeRejected(key: string): Promise<void> {
    await fs.rm(path.join(this.linesDir, `${key}.json`), { force: true });
  }
}

function dropClaim(rec: TaskRecord): TaskRecord {
  const { claim: _claim, ...rest } = rec;
  return rest;
}

function withAttempt(
  rec: TaskRecord,
  attempt: AttemptSummary | undefined,
  reason: string | undefined,
): TaskRecord {
  const history = attempt
    ? [...rec.history.filter((a) => a.attempt !== attempt.attempt), attempt].slice(-HISTORY_KEPT)
    : rec.history;
  const { reason: _old, ...rest } = rec;
  return { ...rest, history, ...(reason !== undefined ? { reason } : {}) };
}

export function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/** The task is not where the caller expected: another process moved it first. */
export class MissingTaskError extends Error {
  constructor(
    readonly id: string,
    readonly state: TaskState,
  ) {
    super(`task ${id} is no longer ${state}`);
    this.name = 'MissingTaskError';
  }
}

/** A record file that does not parse: reported with its path, never overwritten. */
export class CorruptRecordError extends Error {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(
      `task record ${file} is unreadable (${cause instanceof Error ? cause.message : String(cause)}); move it aside or delete it`,
      {
        cause,
      },
    );
    this.name = 'CorruptRecordError';
  }
}
