import fs from 'node:fs';
import path from 'node:path';

/**
 * Errors that mean "the file system will not take writes right now": a full disk, a volume gone
 * read-only, permissions changed under us, a failing device. They are not bugs and they pass: a
 * writer that meets one says so once, keeps its process running, and tries again with backoff.
 */
export const DISK_FAULT_CODES = ['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO'] as const;

export function diskFaultCode(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && (DISK_FAULT_CODES as readonly string[]).includes(code)) return code;
  // A short write is how a disk that fills mid-write shows up (no errno for the written part).
  if (err instanceof Error && /short write|disk full/i.test(err.message)) return 'ENOSPC';
  return undefined;
}

export const isDiskFault = (err: unknown): boolean => diskFaultCode(err) !== undefined;

/** Probe delays: 1 s, 2 s, 4 s ... up to `maxMs`. */
export function probeDelayMs(failures: number, baseMs = 1000, maxMs = 30_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(failures, 20)));
}

/**
 * Tries a small real write in `dir` (create, write, remove): the cheapest question that a full
 * or read-only disk answers the same way a real write would. Never throws.
 */
export function probeWritable(
  dir: string,
  bytes = 4096,
  opts: { fsync?: boolean } = {},
): { ok: true } | { ok: false; error: unknown } {
  const file = path.join(dir, `.write-probe-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'w');
    const buf = Buffer.alloc(bytes, 0x20);
    const n = fs.writeSync(fd, buf);
    if (n !== buf.length) throw new Error(`short write: ${n} of ${buf.length} bytes (disk full?)`);
    // Off by default: a full disk refuses the write itself (space is reserved at write time), and a
    // synchronous fsync on a busy disk would stall the caller's event loop.
    if (opts.fsync) fs.fsyncSync(fd);
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  } finally {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // nothing more to do with it
      }
    }
    try {
      fs.rmSync(file, { force: true });
    } catch {
      // a probe left behind is a few bytes; the next probe has another name
    }
  }
}

/** Writes to stderr without ever throwing (a closed pipe to a dead parent must not end the process). */
export function safeStderr(text: string): void {
  try {
    if (!process.stderr.destroyed) process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  } catch {
    // stderr gone: nowhere left to say it
  }
}

let stdioGuarded = false;
/**
 * A process whose stderr or stdout pipe breaks (the reading parent died, a pipe filled and closed)
 * gets an 'error' event on that stream; unhandled, it ends the process. Called once by each entry point.
 */
export function guardStdio(): void {
  if (stdioGuarded) return;
  stdioGuarded = true;
  for (const s of [process.stdout, process.stderr]) s.on('error', () => undefined);
}

export interface WriteFaultWatchOptions {
  /** Folder the probe writes in (the writer's own folder). */
  dir: string;
  /** What fails, for the message: `logs/worker-*.log`, `logs/ledger.jsonl`. */
  what: string;
  /** Told once per outage, when writes first fail, and once when they work again. */
  say: (message: string) => void;
  /** Writes work again: the writer reopens and goes on. */
  onRecovered: () => void;
  baseMs?: number;
  maxMs?: number;
  probe?: (dir: string) => { ok: boolean };
}

/**
 * One writer's fault state: `fault(err)` when a write failed; probes with backoff until a write
 * works, then calls `onRecovered` and says how long it lasted. Several faults in one outage say
 * nothing more. Probe timers are unref'd: a writer in trouble never keeps a process alive.
 */
export class WriteFaultWatch {
  private failing = false;
  private probes = 0;
  private since = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Records the writer dropped (or held) during this outage, for the recovery message. */
  dropped = 0;

  constructor(private readonly opts: WriteFaultWatchOptions) {}

  get healthy(): boolean {
    return !this.failing;
  }

  fault(err: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.probes = 0;
    this.since = Date.now();
    const code = diskFaultCode(err) ?? (err as NodeJS.ErrnoException | undefined)?.code ?? 'error';
    const msg = err instanceof Error ? err.message : String(err);
    const why = msg.startsWith(code) ? msg : `${code}: ${msg}`;
    this.opts.say(
      `cannot write ${this.opts.what} (${why}); this process keeps running and tries again by itself`,
    );
    this.schedule();
  }

  private schedule(): void {
    const delay = probeDelayMs(this.probes, this.opts.baseMs, this.opts.maxMs);
    this.timer = setTimeout(() => this.tick(), delay);
    this.timer.unref();
  }

  private tick(): void {
    this.timer = undefined;
    if (!this.failing) return;
    this.probes++;
    if (!(this.opts.probe ?? probeWritable)(this.opts.dir).ok) return this.schedule();
    this.failing = false;
    const secs = Math.round((Date.now() - this.since) / 1000);
    const lost = this.dropped ? `; ${this.dropped} record(s) could not be written meanwhile` : '';
    this.dropped = 0;
    this.opts.say(`writes to ${this.opts.what} work again after ${secs} s${lost}`);
    this.opts.onRecovered();
  }

  /** Forgets the outage without a probe (the writer closed; its next write finds out for itself). */
  reset(): void {
    this.dispose();
    this.failing = false;
    this.dropped = 0;
  }

  /** Stops probing (the writer closes). */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
