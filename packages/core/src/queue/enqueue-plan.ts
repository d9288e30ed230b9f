import type { TaskRecord, TaskState } from '../task/record.js';
import type { EnqueueOutcome, NewRecord } from './store.js';
import { findKnownId, type KnownIds } from './id-index.js';

export interface EnqueuePlanDeps {
  /** Every stored id (files and segment tasks), lower case. */
  known: KnownIds;
  read: (state: TaskState, id: string) => Promise<TaskRecord | undefined>;
  /** Moves a finished record to the archive (a rerun replaces it). */
  archive: (state: TaskState, id: string) => Promise<void>;
}

/**
 * Which new records the store writes and what each item's outcome is: duplicates in the batch and
 * known ids are refused, a replayed line recognised, a rerun of a finished task archives the old one.
 */
export async function planEnqueue(
  items: readonly NewRecord[],
  deps: EnqueuePlanDeps,
): Promise<{ outcomes: EnqueueOutcome[]; toWrite: TaskRecord[] }> {
  const { known } = deps;
  const outcomes: EnqueueOutcome[] = [];
  const toWrite: TaskRecord[] = [];
  const inBatch: KnownIds = new Map();
  for (const { record } of items) {
    const id = record.id;
    const earlier = findKnownId(inBatch, id);
    if (earlier) {
      outcomes.push({
        id,
        result: 'known',
        state: 'queued',
        reason:
          earlier.id === id
            ? `duplicate id ${id} earlier in the same input`
            : `id ${id} differs only in case from ${earlier.id} earlier in the same input; ids are unique ignoring case`,
      });
      continue;
    }
    const existing = findKnownId(known, id);
    if (existing) {
      const outcome = await judgeKnown(record, existing.id, existing.state, deps.read);
      if (outcome) {
        outcomes.push(outcome);
        continue;
      }
      await deps.archive(existing.state, existing.id);
    }
    inBatch.set(id.toLowerCase(), { id, state: 'queued' });
    toWrite.push(record);
    outcomes.push({ id, result: 'queued' });
  }
  return { outcomes, toWrite };
}

/** A known id: replayed input, refused, or (undefined) a rerun that may replace it. */
export async function judgeKnown(
  rec: TaskRecord,
  knownId: string,
  state: TaskState,
  read: EnqueuePlanDeps['read'],
): Promise<EnqueueOutcome | undefined> {
  const id = rec.id;
  if (knownId !== id) {
    return {
      id,
      result: 'known',
      state,
      reason: `id ${id} differs only in case from task ${knownId} (${state}); ids are unique ignoring case (Windows and macOS file names are), choose another id`,
    };
  }
  const existing = await read(state, id).catch(() => undefined);
  const src = existing?.source;
  const mine = rec.source;
  if (src && mine && src.file === mine.file && src.line === mine.line && src.hash === mine.hash) {
    return { id, result: 'replayed' };
  }
  const rerun = rec.spec.rerun;
  if (!rerun || state === 'queued' || state === 'processing') {
    return {
      id,
      result: 'known',
      state,
      reason: rerun
        ? `task ${id} is still ${state}; "rerun" applies only to finished tasks`
        : `task ${id} already exists (${state}); set "rerun": true to run it again`,
    };
  }
  return undefined;
}
