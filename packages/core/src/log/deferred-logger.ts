import type winston from 'winston';
import { safeStderr } from '../fs/disk-fault.js';
import type { LoggerOptions } from './logger.js';

/** The component logger's options (logger.ts), and when to load it. */
export interface DeferredLoggerOptions extends LoggerOptions {
  /** Load winston (and open the files) once this resolves; at once without it. */
  openFilesAfter?: Promise<unknown>;
}

/** The component logger's four levels, usable before winston is loaded. */
export interface DeferredLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
  /** Loads the logger if it is not yet (held records are written), ends it and waits for its files. */
  close(): Promise<void>;
}

/** Records kept until winston is loaded; later ones are counted and said once it is. */
export const MAX_DEFERRED_RECORDS = 10_000;

/** A boot that takes longer than this still gets its lines on disk while it runs. */
const LOAD_LATEST_MS = 3000;

interface Held {
  level: string;
  message: string;
  meta: Record<string, unknown> | undefined;
  timestamp: string;
}

/**
 * The component logger (logger.ts) with winston loaded later: once `openFilesAfter` resolves, at
 * the first error record, at `close`, or after 3 s, whichever is first; at once with `console`
 * (a foreground run prints as it goes). winston and its dependencies take ~36 ms of CPU to load
 * here (bench/FINDINGS.md, "Session 9"), and the booting worker logs only a few lines before
 * `worker.start`. Records before the load keep their own time and order.
 */
export function createDeferredLogger(opts: DeferredLoggerOptions): DeferredLogger {
  let real: winston.Logger | undefined;
  let closeReal: (() => Promise<void>) | undefined;
  let held: Held[] = [];
  let dropped = 0;
  let loading: Promise<void> | undefined;

  const load = (): Promise<void> => {
    loading ??= import('./logger.js').then(
      ({ createLogger, closeLogger }) => {
        const { openFilesAfter: _later, ...now } = opts;
        const logger = createLogger(now);
        for (const r of held)
          logger.log({ ...r.meta, level: r.level, message: r.message, timestamp: r.timestamp });
        if (dropped > 0)
          logger.warn(
            `${dropped} log record(s) from before the logger was loaded were dropped (over ${MAX_DEFERRED_RECORDS})`,
          );
        held = [];
        real = logger;
        closeReal = () => closeLogger(logger);
      },
      (err: unknown) => {
        // Without winston there is no log file; stderr is what is left.
        safeStderr(`headless ${opts.component}: the logger could not be loaded: ${String(err)}\n`);
        held = [];
      },
    );
    return loading;
  };

  if (opts.console || !opts.openFilesAfter) void load();
  else {
    void opts.openFilesAfter.then(load, load);
    setTimeout(() => void load(), LOAD_LATEST_MS).unref();
  }

  const write =
    (level: 'info' | 'warn' | 'error' | 'debug') =>
    (message: string, meta?: Record<string, unknown>): void => {
      if (real) {
        real.log({ ...meta, level, message });
        return;
      }
      if (held.length < MAX_DEFERRED_RECORDS)
        held.push({ level, message, meta, timestamp: new Date().toISOString() });
      else dropped++;
      if (level === 'error') void load();
    };

  return {
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    debug: write('debug'),
    async close() {
      await load();
      await closeReal?.();
    },
  };
}
