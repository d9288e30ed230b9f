import fs, { type FileHandle } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import { ensureRuntimeFolder } from '../fs/runtime-ignore.js';
import type { LedgerRecord } from './record.js';

/**
 * The append-only ledger. Each record is one whole line written in one call, so a crash can tear
 * at most the last line; every reader skips lines that do not parse and reports how many.
 * A record is written (in the file system, safe from a process crash) before `append` resolves;
 * the flush to disk follows within `flushMs` (one fdatasync for everything written meanwhile), so
 * a power loss can cost at most the last `flushMs` of records, never a torn middle.
 */
export class Ledger {
  private pending: { line: string; done: (err?: unknown) => void }[] = [];
  private writing: Promise<void> | undefined;
  private fh: FileHandle | undefined;
  private dirty = false;
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly file: string,
    private readonly opts: {
      clock?: Clock;
      fsync?: boolean;
      flushMs?: number;
      redact?: (s: string) => string;
    } = {},
  ) {}

  /** Appends a record. Resolves once it is written to the file. */
  append(rec: Omit<LedgerRecord, 'v' | 'ts'> & { ts?: string }): Promise<void> {
    const clock = this.opts.clock ?? systemClock;
    const full = { v: 1, ts: rec.ts ?? new Date(clock.now()).toISOString(), ...rec };
    let line = JSON.stringify(full);
    if (this.opts.redact) line = this.opts.redact(line);
    return new Promise((resolve, reject) => {
      this.pending.push({
        line,
        done: (err) =>
          err === undefined
            ? resolve()
            : reject(err instanceof Error ? err : new Error('ledger write failed', { cause: err })),
      });
      this.kick();
    });
  }

  private kick(): void {
    if (this.writing) return;
    this.writing = this.drain().finally(() => {
      this.writing = undefined;
      if (this.pending.length) this.kick();
    });
  }

  private async handle(): Promise<FileHandle> {
    if (!this.fh) {
      // logs/ inside a user's repo gets a `*` .gitignore, so `git add -A` never commits the ledger.
      await ensureRuntimeFolder(path.dirname(this.file));
      this.fh = await fs.open(this.file, 'a');
    }
    return this.fh;
  }

  private async drain(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending.splice(0);
      try {
        const fh = await this.handle();
        const buf = Buffer.from(batch.map((b) => `${b.line}\n`).join(''));
        const { bytesWritten } = await fh.write(buf, 0, buf.length);
        if (bytesWritten !== buf.length) {
          throw new Error(`short write to ${this.file}: ${bytesWritten} of ${buf.length} bytes (disk full?)`);
        }
        this.scheduleSync();
        for (const b of batch) b.done();
      } catch (err) {
        // Start over with a fresh handle next time (the file may have been moved or the disk freed).
        await this.closeHandle();
        for (const b of batch) b.done(err);
      }
    }
  }

  private scheduleSync(): void {
    if (!(this.opts.fsync ?? true)) return;
    this.dirty = true;
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.sync();
    }, this.opts.flushMs ?? 50);
    this.flushTimer.unref();
  }

  private async sync(): Promise<void> {
    if (!this.dirty || !this.fh) return;
    this.dirty = false;
    await this.fh.datasync().catch(() => undefined);
  }

  private async closeHandle(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close().catch(() => undefined);
  }

  /** Waits for every append so far and flushes them to disk. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    await this.sync();
  }

  /** Flushes and releases the file. Appends after this reopen it. */
  async close(): Promise<void> {
    await this.flush();
    await this.closeHandle();
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
