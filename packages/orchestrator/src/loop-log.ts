import fs from 'node:fs';
import path from 'node:path';
import type { LineLog } from './log-sink.js';

/** `logs/loops/<Loop>.log`. */
export function loopLogPath(logsDir: string, loop: string): string {
  return path.join(logsDir, 'loops', `${loop}.log`);
}

export interface LoopLogOptions {
  /** Past this size the file becomes `<Loop>.log.1` (replacing the older one) and a new one starts. */
  maxBytes: number;
  clock?: { now(): number };
  /** Told once when the log cannot be written; the loop itself keeps running. */
  onError?: (err: unknown) => void;
}

/**
 * Appends timestamped lines to a loop's log. Unlike a task log it lives across runs and restarts (a
 * history, not one attempt's output), so it is bounded by rotation, not by cutting its middle.
 * Writes are synchronous: lines are short, and a line must be on disk before the next step starts.
 */
export function openLoopLog(file: string, opts: LoopLogOptions): LineLog {
  const clock = opts.clock ?? Date;
  let fd: number | undefined;
  let size = 0;
  let reported = false;

  const open = (): number => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const opened = fs.openSync(file, 'a');
    size = fs.fstatSync(opened).size;
    return opened;
  };
  const closeQuietly = (): void => {
    try {
      if (fd !== undefined) fs.closeSync(fd);
    } catch {
      // Already unusable; a new descriptor is opened for the next line.
    }
    fd = undefined;
  };
  const rotate = (): void => {
    if (fd !== undefined) fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(file, `${file}.1`);
  };

  return {
    line(stream, text) {
      const stamp = new Date(clock.now()).toISOString();
      try {
        fd ??= open();
        for (const part of text.split(/\r?\n/)) {
          const bytes = Buffer.from(`${stamp} [${stream}] ${part}\n`, 'utf8');
          if (size > 0 && size + bytes.length > opts.maxBytes) {
            rotate();
            fd = open();
          }
          fs.writeSync(fd, bytes);
          size += bytes.length;
        }
        // Writes work (again): a later outage is said again.
        reported = false;
      } catch (err) {
        // Reported once; later lines try again (a full disk may recover), the loop runs on either way.
        if (!reported) opts.onError?.(err);
        reported = true;
        closeQuietly();
      }
    },
    close() {
      if (fd !== undefined) fs.closeSync(fd);
      fd = undefined;
      return Promise.resolve();
    },
  };
}
