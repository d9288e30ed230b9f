import * as z from 'zod/mini';
import type { TaskRecord } from '../task/record.js';
import { TaskRecordSchema } from '../task/record-schema.js';

/**
 * The queue segment file: one accepted batch of new tasks in one file, written and flushed once
 * (`.tasks/segments/<name>.seg.jsonl`). Line 1 is a header naming every task of the batch in order;
 * each further line is one task's queued record, compact JSON. The header lets a reader know the
 * ids without parsing every record, and tells a reader how many records a whole segment holds: a
 * record line that is missing or does not parse is damage (the segment is written to a temp name,
 * flushed and renamed, so a crash alone never leaves one torn).
 */
export const SEGMENT_SUFFIX = '.seg.jsonl';
/** A segment being expanded into per-task files (renamed first, so only one process expands it). */
export const EXPANDING_SUFFIX = '.seg.jsonl.expanding';

const SegmentHeader = z.object({ segment: z.literal(1), ids: z.array(z.string().check(z.minLength(1))) });

export function formatSegment(records: readonly TaskRecord[]): string {
  const header = JSON.stringify({ segment: 1, ids: records.map((r) => r.id) });
  return `${[header, ...records.map((r) => JSON.stringify(r))].join('\n')}\n`;
}

/** The ids a segment's header names, or why it cannot be read. */
export function parseSegmentIds(text: string): { ok: true; ids: string[] } | { ok: false; why: string } {
  const end = text.indexOf('\n');
  const first = end < 0 ? text : text.slice(0, end);
  let value: unknown;
  try {
    value = JSON.parse(first);
  } catch (err) {
    return { ok: false, why: `its header does not parse (${(err as Error).message})` };
  }
  const parsed = SegmentHeader.safeParse(value);
  if (!parsed.success) return { ok: false, why: 'its first line is not a segment header' };
  return { ok: true, ids: parsed.data.ids };
}

export interface ParsedSegment {
  /** Readable records by lower-case id. */
  records: Map<string, TaskRecord>;
  /** Ids the header names whose record is missing or unreadable, with why. */
  damaged: { id: string; why: string }[];
}

/** Every record of a segment, each checked against the record schema and the header's id. */
export function parseSegment(text: string): ParsedSegment | { ok: false; why: string } {
  const head = parseSegmentIds(text);
  if (!head.ok) return head;
  const lines = text.split('\n').slice(1);
  const records = new Map<string, TaskRecord>();
  const damaged: { id: string; why: string }[] = [];
  head.ids.forEach((id, i) => {
    const got = parseRecordLine(lines[i] ?? '', id);
    if (got.ok) records.set(id.toLowerCase(), got.record);
    else damaged.push({ id, why: got.why });
  });
  return { records, damaged };
}

function parseRecordLine(
  text: string,
  id: string,
): { ok: true; record: TaskRecord } | { ok: false; why: string } {
  if (text === '') return { ok: false, why: 'its line is missing' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, why: `its line does not parse (${(err as Error).message})` };
  }
  const parsed = TaskRecordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, why: `${issue?.path.join('.') || 'record'}: ${issue?.message ?? 'invalid'}` };
  }
  const rec = parsed.data as TaskRecord;
  if (rec.id !== id) return { ok: false, why: `its line names task ${JSON.stringify(rec.id)}, not ${id}` };
  if (rec.state !== 'queued') return { ok: false, why: `its line says ${rec.state}, not queued` };
  return { ok: true, record: rec };
}
