import fs from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { appendLineDurable } from '../fs/atomic.js';
import { systemClock, type Clock } from '../clock.js';
import type { LedgerRecord } from './record.js';

/**
 * The append-only ledger. One write per record, each a whole line, so a crash can tear at most the
 * last line; every reader skips lines that do not parse and reports how many it skipped.
 */
export class Ledger {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly opts: { clock?: Clock; fsync?: boolean; redact?: (s: string) => string } = {},
  ) {}

  /** Appends a record; appends are serialised so lines never interleave. Resolves once it is written. */
  append(rec: Omit<LedgerRecord, 'v' | 'ts'> & { ts?: string }): Promise<void> {
    const clock = this.opts.clock ?? systemClock;
    const full = { v: 1, ts: rec.ts ?? new Date(clock.now()).toISOString(), ...rec };
    let line = JSON.stringify(full);
    if (this.opts.redact) line = this.opts.redact(line);
    const run = async () => {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      await appendLineDurable(this.file, line, { fsync: this.opts.fsync ?? true });
    };
    const next = this.chain.then(run, run);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Waits for every append so far. */
  flush(): Promise<void> {
    return this.chain;
  }
}

export interface LedgerReadResult {
  records: LedgerRecord[];
  /** Lines that did not parse (a torn last line after a crash, or damage), with their line numbers. */
  skipped: { line: number; text: string }[];
}

/** Reads the whole ledger, tolerating torn or damaged lines. A missing ledger is empty. */
export async function readLedger(
  file: string,
  filter?: (r: LedgerRecord) => boolean,
): Promise<LedgerReadResult> {
  const out: LedgerReadResult = { records: [], skipped: [] };
  let stream;
  try {
    await fs.access(file);
    stream = createReadStream(file, { encoding: 'utf8' });
  } catch {
    return out;
  }
  let buf = '';
  let lineNo = 0;
  const take = (text: string) => {
    lineNo++;
    if (text.trim() === '') return;
    const rec = parseLedgerLine(text);
    if (!rec) out.skipped.push({ line: lineNo, text: text.slice(0, 200) });
    else if (!filter || filter(rec)) out.records.push(rec);
  };
  for await (const chunk of stream) {
    buf += chunk as string;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      take(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  }
  if (buf.length) take(buf);
  return out;
}

export function parseLedgerLine(text: string): LedgerRecord | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v) && 'event' in v && 'ts' in v)
      return v as LedgerRecord;
  } catch {
    // torn or damaged line: the caller counts it
  }
  return undefined;
}
