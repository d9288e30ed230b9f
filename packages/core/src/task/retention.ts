import type { TaskState } from './record.js';

export interface RetentionCandidate {
  id: string;
  state: TaskState;
  /** ISO time of the record's last change (when it finished, for a finished task). */
  updatedAt: string;
}

/**
 * Which finished task records are past the retention and may go (deleted or archived, per
 * `logs.finishedRecords`). Only `done` and `failed` records qualify: a queued, running, scheduled
 * or parked (quarantine) task is never pruned, however old. A record whose time does not parse is
 * kept (better an old file than a lost task).
 */
export function selectPrunable(
  records: readonly RetentionCandidate[],
  opts: { retentionDays: number; now: number },
): string[] {
  const cutoff = opts.now - opts.retentionDays * 86_400_000;
  return records
    .filter((r) => (r.state === 'done' || r.state === 'failed') && Date.parse(r.updatedAt) < cutoff)
    .map((r) => r.id);
}
