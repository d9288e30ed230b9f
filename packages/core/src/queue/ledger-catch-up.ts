import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import * as z from 'zod/mini';
import { stateFile } from '../run-state/state-file.js';
import { parseLedgerLine } from '../ledger/ledger.js';
import { TASK_STATES, type JournalEntry } from '../task/record.js';
import type { QueueStore } from './store.js';
import type { LedgerSink } from './transitions.js';
import { compareText } from '../text-order.js';

export const LedgerCheckpointSchema = z.object({
  /** Every journal entry older than this is known to be in the ledger. */
  at: z.string(),
  /** The ledger's size then: lines after it are read to find what is missing. */
  offset: z.number().check(z.int(), z.nonnegative()),
});
export type LedgerCheckpoint = z.infer<typeof LedgerCheckpointSchema>;

export function checkpointFile(file: string) {
  return stateFile(file, LedgerCheckpointSchema);
}

export interface CatchUpReport {
  /** Lines written from task records' journals (a crash came between a move and its line). */
  appended: number;
  /** `task.rejected` lines written from kept rejected lines. */
  rejected: number;
}

/**
 * The ledger is read from this far before the checkpoint's offset: lines written in the same
 * millisecond as the checkpoint are then seen, not appended twice.
 */
const OVERLAP_BYTES = 1024 * 1024;

/**
 * Brings the ledger in line with the records: every journal entry (and kept rejected line) newer
 * than the checkpoint that has no line in the ledger since the checkpoint's offset is appended,
 * oldest first, with its original time. Then the checkpoint moves to now. Run by recovery, under
 * the worker lock, before any claim (so nothing is between a move and its line).
 */
export async function catchUpLedger(deps: {
  store: QueueStore;
  ledgerFile: string;
  ledger: LedgerSink & { flush(): Promise<void> };
  checkpoint: ReturnType<typeof checkpointFile>;
  now: Date;
}): Promise<CatchUpReport> {
  const cp = await deps.checkpoint.readOrDefault({ at: new Date(0).toISOString(), offset: 0 });
  // The checkpoint is written only while no move is between its store change and its line, so
  // every journal entry older than it is in the ledger already.
  const since = Date.parse(cp.at);
  const seen = await ledgerKeysFrom(deps.ledgerFile, Math.max(0, cp.offset - OVERLAP_BYTES));
  const writtenSinceMs = await unreadBefore(deps.checkpoint.file, since);
  const missing: JournalEntry[] = [];
  for (const state of TASK_STATES) {
    for (const rec of await deps.store.list(state, writtenSinceMs === undefined ? {} : { writtenSinceMs })) {
      if (Date.parse(rec.updatedAt) < since) continue;
      for (const e of rec.journal ?? []) {
        if (Date.parse(e.ts) < since) continue;
        if (!seen.has(journalKey(typeof e['task'] === 'string' ? e['task'] : rec.id, e.rev, e.event)))
          missing.push(e);
      }
    }
  }
  missing.sort((a, b) => compareText(a.ts, b.ts) || a.rev - b.rev);
  for (const e of missing) {
    const { rev, ts, event, ...rest } = e;
    await deps.ledger.append({ ...rest, event: event, rev, ts, caughtUp: true });
  }
  let rejected = 0;
  for (const r of await deps.store.listRejected()) {
    if (Date.parse(r.at) < since || seen.has(rejectedKey(r.file, r.line))) continue;
    await deps.ledger.append({
      event: 'task.rejected',
      file: r.file,
      line: r.line,
      reason: r.reason,
      ts: r.at,
      caughtUp: true,
    });
    rejected++;
  }
  await deps.ledger.flush();
  await writeCheckpoint(deps.checkpoint, deps.ledgerFile, deps.now);
  return { appended: missing.length, rejected };
}

/** A record file last written this long before the checkpoint is not read (coarse file times, clock slew). */
export const CATCH_UP_MARGIN_MS = 2000;

/**
 * The file system time before which record files need not be read: the checkpoint file was
 * written while no move was between its store change and its line (Transitions.settled), so a
 * record written before it has every journal line in the ledger. Both times are the file
 * system's; the record's own `updatedAt` filter (the clock's) still applies to what is read. Less
 * the margin, and never after the checkpoint's `at`: with the system clock this skips only records
 * the `updatedAt` filter would skip. No checkpoint file: everything is read.
 */
async function unreadBefore(checkpointFile: string, since: number): Promise<number | undefined> {
  const written = await fs.stat(checkpointFile).then(
    (s) => s.mtimeMs,
    () => undefined,
  );
  if (written === undefined || !Number.isFinite(since)) return undefined;
  return Math.min(written, since) - CATCH_UP_MARGIN_MS;
}

/** Moves the checkpoint to now (only when no move is between its store change and its line). */
export async function writeCheckpoint(
  checkpoint: ReturnType<typeof checkpointFile>,
  ledgerFile: string,
  now: Date,
): Promise<void> {
  const size = await fs.stat(ledgerFile).then(
    (s) => s.size,
    () => 0,
  );
  await checkpoint.write({ at: now.toISOString(), offset: size }, { fsync: false });
}

function journalKey(task: string, rev: number, event: string): string {
  return `${task}\u0000${rev}\u0000${event}`;
}

function rejectedKey(file: string, line: number): string {
  return `rejected\u0000${file}\u0000${line}`;
}

/** Keys of the task lines (with a rev) and rejected lines in the ledger from `offset` on. */
async function ledgerKeysFrom(file: string, offset: number): Promise<Set<string>> {
  const keys = new Set<string>();
  const size = await fs.stat(file).then(
    (s) => s.size,
    () => -1,
  );
  if (size < 0) return keys;
  // A ledger smaller than the offset was rotated or replaced: read it whole.
  const start = size < offset ? 0 : offset;
  let buf = '';
  let first = start > 0; // starting mid-file: the first piece is the tail of a line
  const take = (text: string) => {
    const r = parseLedgerLine(text);
    if (!r) return;
    if (r.event === 'task.rejected' && typeof r.file === 'string' && typeof r.line === 'number')
      keys.add(rejectedKey(r.file, r.line));
    if (typeof r.task === 'string' && typeof r['rev'] === 'number')
      keys.add(journalKey(r.task, r['rev'], r.event));
  };
  for await (const chunk of createReadStream(file, { encoding: 'utf8', start })) {
    buf += chunk as string;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      if (first) first = false;
      else take(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  }
  if (buf) take(buf);
  return keys;
}
