import fs from 'node:fs';
import type { TaskRecord } from '../task/record.js';
import { parseTaskRecord } from '../task/record-schema.js';

/** Files read per turn of the event loop: a few ms of work, then timers and IPC get their turn. */
export const RECORDS_PER_TURN = 64;

export type RecordFileResult = ReturnType<typeof parseTaskRecord>;

/**
 * Reads and parses many small record files (a root's done/ can hold 10,000s), in synchronous
 * batches of RECORDS_PER_TURN with a yield to the event loop between batches. An awaited
 * `fs.promises.readFile` is four trips through libuv's thread pool (open, fstat, read, close): for
 * 10,000 records of ~1.3 KB that was 700-880 ms against 120 ms read synchronously here. Local
 * files only; the order of `files` is kept. A file that is gone, unreadable, (with `regularOnly`)
 * not a regular file, or (with `writtenSinceMs`) last written before that file system time gives
 * undefined; an unparsable one its `ok: false` result.
 */
export async function readRecordFiles(
  files: readonly { id: string; file: string }[],
  opts: { regularOnly?: boolean; writtenSinceMs?: number } = {},
): Promise<(RecordFileResult | undefined)[]> {
  const out = new Array<RecordFileResult | undefined>(files.length);
  for (let i = 0; i < files.length; i++) {
    if (i > 0 && i % RECORDS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    const f = files[i] as { id: string; file: string };
    out[i] = readOne(f.file, f.id, opts);
  }
  return out;
}

/** The records that parsed, in order. */
export function parsedRecords(results: readonly (RecordFileResult | undefined)[]): TaskRecord[] {
  const out: TaskRecord[] = [];
  for (const r of results) if (r?.ok) out.push(r.record);
  return out;
}

function readOne(
  file: string,
  id: string,
  opts: { regularOnly?: boolean; writtenSinceMs?: number },
): RecordFileResult | undefined {
  let text: string;
  try {
    if (opts.regularOnly === true && !fs.lstatSync(file).isFile()) return undefined;
    // One stat instead of a read and a parse (the catch-up's hint, see ledger-catch-up.ts).
    if (opts.writtenSinceMs !== undefined && fs.statSync(file).mtimeMs < opts.writtenSinceMs)
      return undefined;
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return parseTaskRecord(text, id);
}
