import fs, { type FileHandle } from 'node:fs/promises';
import { createReadStream, writeSync } from 'node:fs';
import path from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import { ensureRuntimeFolder } from '../fs/runtime-ignore.js';
import { isDiskFault, safeStderr, WriteFaultWatch } from '../fs/disk-fault.js';
import type { LedgerRecord } from './record.js';
import { ledgerFiles, rotateLedger } from './segments.js';

/** Where the live file is rotated into a segment by default (policies.logs.ledgerMaxMb overrides it). */
export const DEFAULT_LEDGER_MAX_BYTES = 64 * 1024 * 1024;
/** Records held in memory while the disk refuses writes; past this, appends are refused at once. */
const MAX_HELD = 10_000;

export interface LedgerOptions {
  clock?: Clock;
  fsync?: boolean;
  flushMs?: number;
  redact?: (s: string) => string;
  /** The live file moves to the next numbered segment once it reaches this size (see segments.ts). */
  maxBytes?: number;
  /** Told once when writes start failing (full, read-only disk) and once when they work again. */
  say?: (message: string) => void;
  /** First probe delay while writes fail (doubles up to 30 s). */
  probeBaseMs?: number;
}

/**
 * The append-only ledger. Each record is one whole line written in one call, so a crash can tear
 * at most the last line; every reader skips lines that do not parse and reports how many.
 * A record is written (in the file system, safe from a process crash) before `append` resolves;
 * the flush to disk follows within `flushMs` (one fdatasync for everything written meanwhile), so
 * a power loss can cost at most the last `flushMs` of records, never a torn middle.
 *
 * When the disk refuses writes (full, read-only, failing: see fs/disk-fault.ts) records are not
 * refused: they are held, in order, and `append` resolves once they are written, after a probe
 * with backoff finds the disk writable again. A write the disk cut short is cut back, so no torn
 * line stays in the middle of the file. Callers therefore wait at their next ledger write while the
 * disk is full, which is the pause that keeps a full disk from turning into lost records. `close()`
 * does not wait for the disk: it tries once more and rejects what it still cannot write.
 * The live file is rotated into numbered segments by size; `readLedger` reads them all.
 */
export class Ledger {
  private pending: { line: string; done: (err?: unknown) => void }[] = [];
  private writing: Promise<void> | undefined;
  private fh: FileHandle | undefined;
  private size = 0;
  private dirty = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly watch: WriteFaultWatch;
  private lastFault: unknown;
  private closing = false;

  constructor(
    readonly file: string,
    private readonly opts: LedgerOptions = {},
  ) {
    this.watch = new WriteFaultWatch({
      dir: path.dirname(file),
      what: file,
      say: opts.say ?? ((m) => safeStderr(`headless ledger: ${m}`)),
      ...(opts.probeBaseMs !== undefined ? { baseMs: opts.probeBaseMs } : {}),
      onRecovered: () => this.kick(),
    });
  }

  /** False while writes fail and records are held. */
  get healthy(): boolean {
    return this.watch.healthy;
  }

  /** Appends a record. Resolves once it is written to the file. */
  append(rec: Omit<LedgerRecord, 'v' | 'ts'> & { ts?: string }): Promise<void> {
    const clock = this.opts.clock ?? systemClock;
    const full = { v: 1, ts: rec.ts ?? new Date(clock.now()).toISOString(), ...rec };
    let line = JSON.stringify(full);
    if (this.opts.redact) line = this.opts.redact(line);
    if (!this.watch.healthy && this.pending.length >= MAX_HELD) {
      return Promise.reject(new Error(`ledger ${this.file} not written: ${String(this.lastFault)}`));
    }
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
    if (this.writing || (!this.watch.healthy && !this.closing)) return;
    this.writing = this.drain().finally(() => {
      this.writing = undefined;
      if (this.pending.length && (this.watch.healthy || this.closing)) this.kick();
    });
  }

  private async handle(): Promise<FileHandle> {
    if (!this.fh) {
      // logs/ inside a user's repo gets a `*` .gitignore, so `git add -A` never commits the ledger.
      await ensureRuntimeFolder(path.dirname(this.file));
      this.fh = await fs.open(this.file, 'a');
      this.size = (await this.fh.stat()).size;
    }
    return this.fh;
  }

  private async drain(): Promise<void> {
    // One turn of the microtask queue first: the lines a caller appends together (a change's
    // attempt.end and task.done) are then all pending, and go out in one write.
    await Promise.resolve();
    while (this.pending.length) {
      const batch = this.pending.splice(0);
      let before: number | undefined;
      let written = 0;
      try {
        await this.rotateIfDue();
        const fh = await this.handle();
        before = this.size;
        const buf = Buffer.from(batch.map((b) => `${b.line}\n`).join(''));
        const bytesWritten = await appendTo(fh, buf);
        written = bytesWritten;
        if (bytesWritten !== buf.length) {
          throw new Error(`short write to ${this.file}: ${bytesWritten} of ${buf.length} bytes (disk full?)`);
        }
        this.size += bytesWritten;
        this.scheduleSync();
        for (const b of batch) b.done();
      } catch (err) {
        await this.cutBack(before, written);
        // Start over with a fresh handle next time (the file may have been moved or the disk freed).
        await this.closeHandle();
        if (isDiskFault(err) && !this.closing) {
          this.lastFault = err;
          this.pending.unshift(...batch);
          this.watch.dropped = this.pending.length;
          this.watch.fault(err);
          return;
        }
        for (const b of batch) b.done(err);
      }
    }
  }

  /** Removes the part of a line a failing write left, when nobody else appended after it. */
  private async cutBack(before: number | undefined, written: number): Promise<void> {
    if (before === undefined || written === 0 || !this.fh) return;
    try {
      const now = (await this.fh.stat()).size;
      if (now === before + written) await this.fh.truncate(before);
    } catch {
      // Cannot cut it: readers skip the torn line, and the next record starts on a line of its own
      // because recovery fences a torn end (recover.ts) before the worker writes again.
    }
  }

  private async rotateIfDue(): Promise<void> {
    const max = this.opts.maxBytes ?? DEFAULT_LEDGER_MAX_BYTES;
    if (this.fh) {
      if (this.size < max) return;
      // Another writer may have rotated already: then the live name is a new, small file.
      const [mine, live] = await Promise.all([this.fh.stat(), fs.stat(this.file).catch(() => undefined)]);
      await this.closeHandle();
      if (!live || live.ino !== mine.ino || live.size < max) return;
    } else {
      const live = await fs.stat(this.file).catch(() => undefined);
      if (!live || live.size < max) return;
    }
    await rotateLedger(this.file);
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

  /** Waits for every append so far and flushes them to disk (while the disk refuses writes: until it takes them). */
  async flush(): Promise<void> {
    while (this.writing || (this.pending.length && !this.watch.healthy)) {
      if (this.writing) await this.writing;
      else await new Promise((r) => setTimeout(r, 50).unref());
    }
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    await this.sync();
  }

  /** Flushes and releases the file. Held records get one last try; those that fail again are rejected. */
  async close(): Promise<void> {
    this.closing = true;
    try {
      this.kick();
      while (this.writing) await this.writing;
      if (this.flushTimer) clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      await this.sync();
      await this.closeHandle();
    } finally {
      this.closing = false;
      this.watch.reset();
    }
  }
}

export interface LedgerReadResult {
  records: LedgerRecord[];
  /**
   * Lines that did not parse (a torn last line after a crash, or damage), with their line numbers
   * and, for a rotated segment, its file name.
   */
  skipped: { line: number; text: string; file?: string }[];
}

/**
 * One append. On POSIX a direct call: an append to a local file is microseconds, less than the
 * round trip through libuv's thread pool it replaces (two per task on the claim/end path); the
 * flush (fdatasync) still runs in the pool, off the loop. Windows keeps the async write.
 */
async function appendTo(fh: FileHandle, buf: Buffer): Promise<number> {
  if (process.platform === 'win32') return (await fh.write(buf, 0, buf.length)).bytesWritten;
  return writeSync(fh.fd, buf, 0, buf.length);
}

/**
 * Reads the whole ledger, its rotated segments first (oldest to newest), tolerating torn or
 * damaged lines. A missing ledger is empty.
 */
export async function readLedger(
  file: string,
  filter?: (r: LedgerRecord) => boolean,
): Promise<LedgerReadResult> {
  const out: LedgerReadResult = { records: [], skipped: [] };
  for (const f of await ledgerFiles(file))
    await readOneFile(f, f === file ? undefined : path.basename(f), filter, out);
  return out;
}

/**
 * The last `n` records (after `filter`): reads segments from the newest back only until it has
 * them, so `headless ledger --tail` stays quick over a ledger of many segments.
 */
export async function readLedgerTail(
  file: string,
  n: number,
  filter?: (r: LedgerRecord) => boolean,
): Promise<LedgerReadResult> {
  const files = await ledgerFiles(file);
  const parts: LedgerReadResult[] = [];
  let count = 0;
  for (let i = files.length - 1; i >= 0 && count < n; i--) {
    const f = files[i] as string;
    const part: LedgerReadResult = { records: [], skipped: [] };
    await readOneFile(f, f === file ? undefined : path.basename(f), filter, part);
    parts.unshift(part);
    count += part.records.length;
  }
  return {
    records: parts.flatMap((p) => p.records).slice(-n),
    skipped: parts.flatMap((p) => p.skipped),
  };
}

async function readOneFile(
  file: string,
  label: string | undefined,
  filter: ((r: LedgerRecord) => boolean) | undefined,
  out: LedgerReadResult,
): Promise<void> {
  let stream;
  try {
    await fs.access(file);
    stream = createReadStream(file, { encoding: 'utf8' });
  } catch {
    return;
  }
  let buf = '';
  let lineNo = 0;
  const take = (text: string) => {
    lineNo++;
    if (text.trim() === '') return;
    const rec = parseLedgerLine(text);
    if (!rec) out.skipped.push({ line: lineNo, text: text.slice(0, 200), ...(label ? { file: label } : {}) });
    else if (!filter || filter(rec)) out.records.push(rec);
  };
  try {
    for await (const chunk of stream) {
      buf += chunk as string;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        take(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    }
  } catch (err) {
    // Rotated away between the listing and the read (a live ledger): a listing made now would show it.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (buf.length) take(buf);
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
