import type { TaskSpec } from '../task/schema.js';
import type { TaskRecord, TaskState } from '../task/record.js';

/**
 * The queue's storage, as everything above it sees it: no paths, no files. The folder store is the
 * embedded default; a shared store (PostgreSQL) implements the same interface and must pass the same
 * contract suite (`@headless/test-support/store-contract`).
 *
 * The store knows which moves are legal (the state machine) and makes each one atomic, but not why
 * a task moves: that, the record patch and the ledger line are the job of `transitions.ts`, the
 * only caller of `claim`, `move` and `enqueue`.
 */
export interface QueueStore {
  /** Makes the store usable (folders, tables). Idempotent. */
  init(): Promise<void>;
  /**
   * Completes or undoes what a crash left half-done inside the store (a move cut in two, torn
   * records, temp files), so every task is in exactly one state. Run by recovery, once per boot,
   * with the worker lock held.
   */
  repair(now: Date): Promise<RepairReport>;
  /**
   * Adds new records durably. An id already known (ignoring case) is `known`, never duplicated,
   * unless it is a finished task and the item says `rerun` (the old record is archived).
   */
  enqueue(items: readonly NewRecord[]): Promise<EnqueueOutcome[]>;
  /**
   * Takes a queued task for running, exclusively: of concurrent claimers exactly one gets the
   * record, the others null. `patch` sees the record with its state already `processing`.
   * `known`: the caller's copy of the queued record (the worker's queue index, fed by its own
   * transitions); a store may use it instead of reading the record back after taking it.
   */
  claim(
    id: string,
    patch: (rec: TaskRecord) => TaskRecord,
    opts?: { known?: TaskRecord },
  ): Promise<TaskRecord | null>;
  /**
   * Moves a task between states (legal moves only, else `IllegalMoveError`); `MissingTaskError`
   * when the task is not in `from`. `patch` sees the record with `state`, `rev` and `updatedAt`
   * already set for the move. `durable: false` may skip flushes (facts that mean nothing after a
   * power loss).
   */
  move(
    id: string,
    from: TaskState,
    to: TaskState,
    patch: (rec: TaskRecord) => TaskRecord,
    opts?: { durable?: boolean },
  ): Promise<TaskRecord>;
  /** Changes a record without moving it (the tool's pid once spawned). */
  update(
    id: string,
    state: TaskState,
    patch: (rec: TaskRecord) => TaskRecord,
    opts?: { durable?: boolean },
  ): Promise<TaskRecord>;
  /** The record in `state`; undefined when it is not there. A damaged record is a `CorruptRecordError`. */
  read(state: TaskState, id: string): Promise<TaskRecord | undefined>;
  get(id: string): Promise<{ state: TaskState; record: TaskRecord } | undefined>;
  /** The stored id equal to `id` ignoring case, and its state (ids are unique ignoring case). */
  lookup(id: string): Promise<{ id: string; state: TaskState } | undefined>;
  /**
   * Every readable record in `state`. With `writtenSinceMs` (a file system time) a store may leave
   * out records last written before it: the ledger catch-up's hint (docs/store.md).
   */
  list(state: TaskState, opts?: { writtenSinceMs?: number }): Promise<TaskRecord[]>;
  /** Ids only: cheap enough to call on every scan. */
  ids(state: TaskState): Promise<string[]>;
  counts(): Promise<Counts>;
  /** Input lines that never became tasks (bad JSON, unknown tool, duplicate id, ...). */
  rejectLine(rejected: RejectedLine): Promise<{ key: string; created: boolean }>;
  listRejected(): Promise<(RejectedLine & { key: string })[]>;
  removeRejected(key: string): Promise<void>;
  /**
   * A finished task's record leaves the live store (retention): deleted, or kept in the store's
   * archive. Only `done` and `failed` records; false when it is not (or no longer) there.
   */
  retire(state: 'done' | 'failed', id: string, how: 'delete' | 'archive'): Promise<boolean>;
}

export type QuarantineKind = 'breaker' | 'invalid' | 'manual' | 'attention';

/** A task about to be stored for the first time (built by `transitions.enqueue`). */
export interface NewRecord {
  record: TaskRecord;
}

export interface EnqueueItem {
  spec: TaskSpec;
  source?: { file: string; line: number; hash: string };
}

export type EnqueueOutcome =
  | { id: string; result: 'queued' }
  /** Same file, line and content as a task already stored: an inbox file read again after a crash. */
  | { id: string; result: 'replayed' }
  | { id: string; result: 'known'; state: TaskState; reason: string };

export interface Counts {
  queued: number;
  processing: number;
  done: number;
  failed: number;
  quarantine: number;
}

export interface RejectedLine {
  file: string;
  line: number;
  reason: string;
  /** The raw text (truncated if huge), so the user can fix and resubmit it. */
  raw: string;
  rawBytes: number;
  at: string;
}

export interface RepairReport {
  /** Moves a crash cut in half, completed (or undone). */
  completedMoves: string[];
  /** Unreadable records rebuilt from their kept inbox line: id -> state rebuilt in. */
  rebuilt: Record<string, TaskState>;
  /** Unreadable records with nothing to rebuild from, moved aside. */
  unrecoverable: string[];
  /** Temp leftovers removed. */
  cleaned: string[];
  notes: string[];
  /** Ledger lines for what was found (`task.damaged`); the caller appends them. */
  events: { event: 'task.damaged'; task: string; reason: string; file: string }[];
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

/** A stored record that does not parse: reported with where it is, never overwritten. */
export class CorruptRecordError extends Error {
  constructor(
    readonly where: string,
    why: string,
  ) {
    super(`task record ${where} is unreadable (${why}); move it aside or delete it`);
    this.name = 'CorruptRecordError';
  }
}

export function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}
