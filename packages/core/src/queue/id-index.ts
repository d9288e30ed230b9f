import type { TaskState } from '../task/record.js';

/**
 * Known ids keyed by their lower-case form: ids are unique ignoring case on every platform, since
 * Windows and macOS file names ignore case and a queue may move between machines.
 */
export type KnownIds = Map<string, { id: string; state: TaskState }>;

export function findKnownId(index: KnownIds, id: string): { id: string; state: TaskState } | undefined {
  return index.get(id.toLowerCase());
}
