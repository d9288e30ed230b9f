import type { TaskSpec } from '../task/schema.js';
import type { AttemptSummary, TaskRecord, TaskState } from '../task/record.js';

/**
 * The queue, as the worker, recovery and the CLI see it. No paths: the folder store is the embedded
 * default; a Redis/BullMQ store can implement the same interface later.
 */
export interface QueueStore {
  /** Adds tasks durably; a known id is reported as `known`, never duplicated. */
  enqueue(items: readonly EnqueueItem[]): Promise<EnqueueOutcome[]>;
  /** Takes a queued task for running, atomically; null when it is gone (another claimer won). Raises `attempts` durably. */
  claim(id: string, owner: { workerPid: number; workerStart?: string }): Promise<TaskRecord | null>;
  /**
   * Updates a task in place without moving it (e.g. the tool's pid once spawned). `durable: false`
   * skips the flush to disk: right for facts that mean nothing after a power loss, such as pids.
   */
  update(
    id: string,
    state: TaskState,
    patch: (rec: TaskRecord) => TaskRecord,
    opts?: { durable?: boolean },
  ): Promise<TaskRecord>;
  complete(id: string, attempt: AttemptSummary): Promise<TaskRecord>;
  fail(id: string, from: TaskState, reason: string, attempt?: AttemptSummary): Promise<TaskRecord>;
  /** Back to the queue, not before `notBefore` (retry, usage-limit reset, interrupted run). */
  schedule(
    id: string,
    from: TaskState,
    notBefore: Date,
    reason: string,
    patch?: (rec: TaskRecord) => TaskRecord,
  ): Promise<TaskRecord>;
  quarantine(
    id: string,
    from: TaskState,
    reason: string,
    kind: QuarantineKind,
    attempt?: AttemptSummary,
  ): Promise<TaskRecord>;
  get(id: string): Promise<{ state: TaskState; record: TaskRecord } | undefined>;
  list(state: TaskState): Promise<TaskRecord[]>;
  /** Ids only: cheap enough to call on every scan. */
  ids(state: TaskState): Promise<string[]>;
  counts(): Promise<Counts>;
  /** Input lines that never became tasks (bad JSON, unknown tool, duplicate id, ...). */
  rejectLine(rejected: RejectedLine): Promise<string>;
  listRejected(): Promise<(RejectedLine & { key: string })[]>;
  removeRejected(key: string): Promise<void>;
}

export type QuarantineKind = 'breaker' | 'invalid' | 'manual';

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
