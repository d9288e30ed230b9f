import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { isDiskFault, safeStderr } from '../fs/disk-fault.js';

/** `logs/task_<id>.log`: one file per task, every attempt appended. */
export function taskLogFile(logsDir: string, id: string): string {
  return path.join(logsDir, `task_${id}.log`);
}

export type TaskLogStream = 'stdout' | 'stderr' | 'meta';

export interface TaskLog {
  /** Appends one record per line of `text`: `<ISO time> [<stream>] <line>`. Never blocks, never throws. */
  line(stream: TaskLogStream, text: string): void;
  /** Writes the kept tail (after an omission marker if something was dropped) and closes the file. */
  close(): Promise<void>;
}

export interface TaskLogOptions {
  /** Cap for what one opening adds: the first half is written as it comes, the last half kept until close. */
  maxBytes: number;
  clock?: Clock;
  /** Applied to every line before it is written (secret redaction). */
  redact?: (s: string) => string;
  /**
   * Told once when the file system refuses the log (full, read-only, failing): the task runs on
   * without it (its output tail still reaches the classifier and the ledger). Default: stderr.
   */
  onFault?: (err: unknown) => void;
}

/** Room kept for the `... [N bytes omitted] ...` marker. */
const MARKER_RESERVE = 48;

export function omittedMarker(bytes: number): string {
  return `... [${bytes} bytes omitted] ...\n`;
}

/**
 * Opens (appending) the log of one task. A tool printing hundreds of MB must not fill the disk, and
 * both its start (the command, the first errors) and its end (the final result) matter, so the head
 * goes to the file as it comes and the tail is kept in a ring until close; what falls between is
 * counted in a marker. A crash before close loses the tail, never the head.
 */
export async function openTaskLog(file: string, opts: TaskLogOptions): Promise<TaskLog> {
  const onFault =
    opts.onFault ?? ((err: unknown) => safeStderr(`headless: task log ${file} not written: ${String(err)}`));
  try {
    return await openWritable(file, opts, onFault);
  } catch (err) {
    if (!isDiskFault(err)) throw err;
    onFault(err);
    return { line: () => undefined, close: () => Promise.resolve() };
  }
}

async function openWritable(
  file: string,
  opts: TaskLogOptions,
  onFault: (err: unknown) => void,
): Promise<TaskLog> {
  const clock = opts.clock ?? systemClock;
  const redact = opts.redact ?? ((s: string) => s);
  // Opened first, its folder made only when missing: two file operations per task fewer than
  // mkdir + stat + open (each a round trip through the thread pool). A failure to open is the
  // caller's (it rejects); after that, said once here.
  const { fd, size: existing } = await openAppend(file);
  let failure: Error | undefined;
  const out = openSink(file, fd, (err) => {
    if (failure === undefined && isDiskFault(err)) onFault(err);
    failure ??= err;
  });

  const headBudget = Math.floor(opts.maxBytes / 2);
  const tailBudget = Math.max(0, opts.maxBytes - headBudget - MARKER_RESERVE);
  // An earlier attempt's records count against the head, so a retried task does not start a new head.
  let written = existing;
  let inTail = false;
  let omitted = 0;
  const tail: Buffer[] = [];
  let tailStart = 0;
  let tailBytes = 0;
  let closed = false;

  const keepInTail = (record: Buffer): void => {
    let rec = record;
    if (rec.length > tailBudget) {
      omitted += rec.length - tailBudget;
      rec = rec.subarray(rec.length - tailBudget);
    }
    tail.push(rec);
    tailBytes += rec.length;
    while (tailBytes > tailBudget && tailStart < tail.length) {
      const dropped = tail[tailStart++] as Buffer;
      tailBytes -= dropped.length;
      omitted += dropped.length;
    }
    if (tailStart > 1024 && tailStart * 2 > tail.length) {
      tail.splice(0, tailStart);
      tailStart = 0;
    }
  };

  return {
    line(stream, text) {
      if (closed) return;
      const stamp = new Date(clock.now()).toISOString();
      for (const part of redact(text).split(/\r?\n/)) {
        const record = Buffer.from(`${stamp} [${stream}] ${part}\n`);
        if (failure) return; // the file is broken: nothing more reaches it
        if (!inTail && written + record.length <= headBudget) {
          // The write stream queues in memory; the head is bounded by headBudget, so the queue is too.
          out.write(record);
          written += record.length;
        } else {
          inTail = true;
          keepInTail(record);
        }
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      if (!failure) {
        if (omitted > 0) out.write(omittedMarker(omitted));
        for (let i = tailStart; i < tail.length; i++) out.write(tail[i] as Buffer);
      }
      await out.close();
      // A full disk costs the log, not the attempt: the task's result stands (said once via onFault).
      if (failure && !isDiskFault(failure)) throw failure;
    },
  };
}

/** Where a task log's records go: appended in order; `close` resolves after any error of the last writes. */
interface Sink {
  write(data: Buffer | string): void;
  close(): Promise<void>;
}

/**
 * POSIX: each record a direct write (a local append is microseconds, less than the thread-pool
 * round trip of a stream write: two per task for a silent tool, plus the close). Windows: a write
 * stream (a scanner may hold the file for a moment).
 */
function openSink(file: string, fd: number | fs.promises.FileHandle, onError: (err: Error) => void): Sink {
  if (typeof fd === 'number') {
    let failed = false;
    return {
      write(data) {
        if (failed) return;
        const buf = typeof data === 'string' ? Buffer.from(data) : data;
        try {
          for (let off = 0; off < buf.length;) off += fs.writeSync(fd, buf, off);
        } catch (err) {
          failed = true;
          onError(err as Error);
        }
      },
      close() {
        try {
          fs.closeSync(fd);
        } catch (err) {
          onError(err as Error);
        }
        return Promise.resolve();
      },
    };
  }
  const out = fs.createWriteStream(file, { fd, flags: 'a' });
  out.on('error', onError);
  return {
    write: (data) => void out.write(data),
    // 'close' comes after any 'error' of the last writes (end's callback can come before it).
    close: () =>
      new Promise<void>((resolve) => {
        if (out.closed) return resolve();
        out.once('close', () => resolve());
        out.end();
      }),
  };
}

/**
 * The log opened for appending, and its size. POSIX: direct calls (a local open and fstat are
 * microseconds, less than the thread-pool round trips they replace); Windows: async (a scanner may
 * hold a new file for a moment).
 */
async function openAppend(file: string): Promise<{ fd: number | fs.promises.FileHandle; size: number }> {
  const missing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';
  if (process.platform !== 'win32') {
    let fd: number;
    try {
      fd = fs.openSync(file, 'a');
    } catch (err) {
      if (!missing(err)) throw err;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fd = fs.openSync(file, 'a');
    }
    try {
      return { fd, size: fs.fstatSync(fd).size };
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, 'a');
  } catch (err) {
    if (!missing(err)) throw err;
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    fh = await fs.promises.open(file, 'a');
  }
  try {
    return { fd: fh, size: (await fh.stat()).size };
  } catch (err) {
    await fh.close().catch(() => undefined);
    throw err;
  }
}

/** Deletes `task_*.log` files in `logsDir` last written before the retention window; returns their paths. */
export async function pruneTaskLogs(
  logsDir: string,
  opts: { retentionDays: number; now: number },
): Promise<string[]> {
  const cutoff = opts.now - opts.retentionDays * 24 * 60 * 60 * 1000;
  let names: string[];
  try {
    names = await fs.promises.readdir(logsDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const deleted: string[] = [];
  for (const name of names) {
    if (!/^task_.*\.log$/.test(name)) continue;
    const file = path.join(logsDir, name);
    try {
      const st = await fs.promises.stat(file);
      if (!st.isFile() || st.mtimeMs >= cutoff) continue;
      await fs.promises.rm(file, { force: true });
      deleted.push(file);
    } catch {
      // Removed meanwhile (another pruner): nothing to do.
    }
  }
  return deleted;
}
