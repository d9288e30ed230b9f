import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { nodeCrypto } from '../lazy-builtins.js';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';

/** Codes Windows gives while antivirus or the indexer holds a file for a moment. */
const TRANSIENT_RENAME_CODES = new Set(['EPERM', 'EBUSY', 'EACCES']);
const DEFAULT_RENAME_BUDGET_MS = 30_000;

export interface RenameRetryOptions {
  platform?: NodeJS.Platform;
  /** Most retries after the first attempt (default: as many as fit in ~30 s). */
  retries?: number;
  /** Total time budget for retries (default 30 s). */
  budgetMs?: number;
  clock?: Clock;
  /** Waits between attempts; tests pass a fast one. */
  sleep?: (ms: number) => Promise<void>;
  /** The rename itself; tests inject failures. */
  rename?: (from: string, to: string) => Promise<void>;
  /** 0..1, for the jitter; tests pass a fixed one. */
  random?: () => number;
}

/** Delay before retry `attempt` (0-based): 10 ms doubling to a 1 s cap, jittered to 50-150 %. */
export function renameRetryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(1000, 10 * 2 ** attempt);
  return Math.round(base * (0.5 + random()));
}

/**
 * `fs.rename`, but on Windows EPERM/EBUSY/EACCES (a scanner holding the file) are retried with
 * jittered backoff for up to ~30 s. On POSIX those codes are real and thrown at once. ENOENT is
 * always thrown as it is: for a claim by rename it means another process won the race.
 */
export async function renameWithRetry(
  from: string,
  to: string,
  opts: RenameRetryOptions = {},
): Promise<void> {
  const platform = opts.platform ?? process.platform;
  // POSIX: a direct call (see writeReplacingPosix); Windows: async, retried while a scanner holds the file.
  const rename = opts.rename ?? (platform === 'win32' ? fs.rename : renameNow);
  const clock = opts.clock ?? systemClock;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const budget = opts.budgetMs ?? DEFAULT_RENAME_BUDGET_MS;
  const retries = opts.retries ?? Number.POSITIVE_INFINITY;
  const started = clock.now();
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      const retryable = platform === 'win32' && TRANSIENT_RENAME_CODES.has(code);
      if (!retryable || attempt >= retries) throw err;
      const delay = renameRetryDelayMs(attempt, opts.random);
      if (clock.now() - started + delay > budget) throw err;
      // Backoff between retries of a rename that antivirus or the indexer holds (windows.md §5).
      await sleep(delay);
    }
  }
}

export interface DurableWriteOptions {
  /** fsync the data (and for writeFileAtomic the folder); default true. Tests of other things may turn it off. */
  fsync?: boolean;
  /**
   * writeFileAtomic: also flush the folder entry (default: as `fsync`). A caller that renames the
   * file again right after and flushes that folder can skip this one.
   */
  syncDir?: boolean;
  platform?: NodeJS.Platform;
}

/**
 * Replaces `file` so a reader (or a crash) sees the old or the new content, never a torn one: the
 * data goes to a temp file in the same folder, is flushed, renamed over the target, and the folder
 * entry is flushed too (without that a power loss can leave a zero-length file after the rename).
 */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  opts: DurableWriteOptions = {},
): Promise<void> {
  const platform = opts.platform ?? process.platform;
  const sync = opts.fsync ?? true;
  const tmp = `${file}.${process.pid}.${nodeCrypto().randomBytes(6).toString('hex')}.tmp`;
  if (platform !== 'win32') {
    await writeReplacingPosix(file, tmp, data, sync);
    if (sync && (opts.syncDir ?? true)) await fsyncDir(path.dirname(file), platform);
    return;
  }
  const fh = await fs.open(tmp, 'wx');
  try {
    try {
      await fh.writeFile(data);
      if (sync) await fh.sync();
    } finally {
      await fh.close();
    }
    await renameWithRetry(tmp, file, { platform });
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  if (sync && (opts.syncDir ?? true)) await fsyncDir(path.dirname(file), platform);
}

/**
 * POSIX: the open, write, close and rename are direct calls (microseconds on a local disk) instead
 * of four round trips through libuv's thread pool (each a wake-up of a pool thread and of the loop:
 * most of a task's system time at concurrency 1); only the flush, which waits for the disk, goes
 * there. The same calls in the same order, so the same durability. Windows keeps the async path
 * (a scanner can hold a file for a moment: the rename is retried, renameWithRetry).
 */
async function writeReplacingPosix(
  file: string,
  tmp: string,
  data: string | Uint8Array,
  sync: boolean,
): Promise<void> {
  try {
    const fd = fsSync.openSync(tmp, 'wx');
    try {
      fsSync.writeFileSync(fd, data);
      if (sync) await fsyncFd(fd);
    } finally {
      fsSync.closeSync(fd);
    }
    fsSync.renameSync(tmp, file);
  } catch (err) {
    try {
      fsSync.rmSync(tmp, { force: true });
    } catch {
      // Left for recovery's temp cleanup.
    }
    throw err;
  }
}

function renameNow(from: string, to: string): Promise<void> {
  fsSync.renameSync(from, to);
  return Promise.resolve();
}

function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsSync.fsync(fd, (err) => (err ? reject(err) : resolve())));
}

/** Flushes a folder's entries. Skipped on Windows, where opening a folder for fsync fails with EPERM. */
export async function fsyncDir(dir: string, platform: NodeJS.Platform = process.platform): Promise<void> {
  if (platform === 'win32') return;
  // Open and close are direct calls (see writeReplacingPosix); the flush waits in the thread pool.
  const fd = fsSync.openSync(dir, 'r');
  try {
    await fsyncFd(fd);
  } catch (err) {
    // Some file systems cannot fsync a folder (EINVAL); the data itself is already flushed.
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
  } finally {
    fsSync.closeSync(fd);
  }
}

/**
 * Appends one line in a single write to a file opened for append, so concurrent appenders never
 * interleave inside a line and a crash leaves at most one torn last line. `fsync` (default true)
 * makes it durable with fdatasync before returning.
 */
export async function appendLineDurable(
  file: string,
  line: string,
  opts: DurableWriteOptions = {},
): Promise<void> {
  const body = line.endsWith('\n') ? line.slice(0, -1) : line;
  if (body.includes('\n'))
    throw new TypeError(
      `appendLineDurable: the line for ${file} holds a line break; write one line at a time`,
    );
  const buf = Buffer.from(`${body}\n`);
  const fh = await fs.open(file, 'a');
  try {
    const { bytesWritten } = await fh.write(buf, 0, buf.length);
    if (bytesWritten !== buf.length)
      throw new Error(`short write to ${file}: ${bytesWritten} of ${buf.length} bytes (disk full?)`);
    if (opts.fsync ?? true) await fh.datasync();
  } finally {
    await fh.close();
  }
}
