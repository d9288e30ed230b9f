import fs from 'node:fs';
import path from 'node:path';
import winston from 'winston';
import type DailyRotateFile from 'winston-daily-rotate-file';
import { safeStderr } from '../fs/disk-fault.js';
import { ResilientFileTransport } from './resilient-file.js';
import type { PoliciesConfig } from '../config/schema.js';
import type { RootLayout } from '../paths.js';

/** The part of policies.logs the component logs use. */
export type LogsPolicy = Pick<PoliciesConfig['logs'], 'maxSize' | 'maxFiles' | 'retentionDays' | 'level'>;

export interface LoggerOptions {
  layout: RootLayout;
  /** Who writes: `worker`, `supervisor`, `orchestrator`, `cli`... Names the file and tags each record. */
  component: string;
  /** Also print human lines on stderr (foreground runs). */
  console?: boolean;
  /** Lowest level written; defaults to `logs.level`. */
  level?: string;
  /** Rotation and retention (policies.logs); the policy defaults when absent. */
  logs?: LogsPolicy;
  /** Clock for the retention sweep. */
  now?: () => number;
  /** Where "cannot write the log" and "works again" go besides the log; default stderr. */
  notify?: (message: string) => void;
  /** First probe delay after a write failed (doubles up to 30 s); tests shorten it. */
  probeBaseMs?: number;
}

let rotateModule: Promise<typeof DailyRotateFile> | undefined;
/** winston-daily-rotate-file (with moment, its largest dependency), loaded at the first file opened. */
function loadDailyRotateFile(): Promise<typeof DailyRotateFile> {
  rotateModule ??= import('winston-daily-rotate-file').then((m) => m.default);
  return rotateModule;
}

/** Name of the log that every component writes too. */
export const UNIFIED_LOG = 'headless';

const DEFAULT_LOGS: LogsPolicy = { maxSize: '20m', maxFiles: 10, retentionDays: 14, level: 'info' };
const COMPONENT_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * A logger for one component. Records are JSON lines (`timestamp`, `level`, `component`,
 * `message` and any meta such as `taskId`, `attempt`) written to `logs/<component>-YYYY-MM-DD.log`
 * and to the unified `logs/headless-YYYY-MM-DD.log`. A file that reaches `maxSize` continues in
 * `…-YYYY-MM-DD.1.log`, `.2.log`; each log keeps at most `maxFiles` files, and files older than
 * `retentionDays` are deleted when a logger starts. Rotation bookkeeping sits in `logs/.audit/`.
 * End with `closeLogger` so the last records reach the disk.
 *
 * A file system that refuses writes (full, read-only, failing) never ends the process: the logger
 * says so once on stderr (and in its other files, where they still work), drops records meanwhile,
 * and reopens its files by itself once a probe write succeeds (see resilient-file.ts).
 */
export function createLogger(opts: LoggerOptions): winston.Logger {
  const { layout, component } = opts;
  if (!COMPONENT_NAME.test(component)) {
    throw new Error(
      `log component ${JSON.stringify(component)} must be letters, digits, . _ - (it names a file)`,
    );
  }
  const logs = opts.logs ?? DEFAULT_LOGS;
  const auditDir = path.join(layout.logsDir, '.audit');
  try {
    fs.mkdirSync(auditDir, { recursive: true });
    sweepExpiredLogs(layout.logsDir, [component, UNIFIED_LOG], logs.retentionDays, (opts.now ?? Date.now)());
  } catch {
    // A read-only or full disk: the file transports report it once and retry by themselves.
  }
  const self: { logger?: winston.Logger } = {};
  const say = (message: string): void => {
    (opts.notify ?? ((m: string) => safeStderr(`headless ${component}: ${m}`)))(message);
    // Later, outside the transport's own write: the other files may still take it.
    setImmediate(() => self.logger?.warn(message));
  };

  const fileFormat = winston.format.combine(winston.format.timestamp(), winston.format.json());
  const rotating = (name: string, auditName: string): ResilientFileTransport =>
    new ResilientFileTransport({
      dir: layout.logsDir,
      what: `logs/${name}-*.log`,
      say,
      format: fileFormat,
      ...(opts.probeBaseMs !== undefined ? { probeBaseMs: opts.probeBaseMs } : {}),
      create: async () =>
        new (await loadDailyRotateFile())({
          dirname: layout.logsDir,
          filename: `${name}-%DATE%`,
          extension: '.log',
          datePattern: 'YYYY-MM-DD',
          maxSize: logs.maxSize,
          maxFiles: logs.maxFiles,
          // Each writer keeps its own audit: several processes append to the unified log, and a shared
          // audit file would be rewritten by all of them.
          auditFile: path.join(auditDir, `${auditName}.json`),
        }),
    });

  const transports: winston.transport[] = [
    rotating(component, component),
    rotating(UNIFIED_LOG, `${UNIFIED_LOG}.${component}`),
  ];
  if (opts.console) transports.push(consoleTransport());
  const logger = winston.createLogger({
    level: opts.level ?? logs.level,
    defaultMeta: { component },
    format: winston.format.errors({ stack: true }),
    transports,
  });
  // A transport error re-emitted here would be unhandled; each file transport reports its own.
  logger.on('error', () => undefined);
  self.logger = logger;
  return logger;
}

function consoleTransport(): winston.transport {
  return new winston.transports.Console({
    // stderr for every level: stdout stays clean for a command's own output (`--json`).
    stderrLevels: ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'],
    format: winston.format.combine(winston.format.timestamp(), consoleLine),
  });
}

/** A logger that writes the console only, in the same format (the supervisor's task summary lines). */
export function createConsoleLogger(component: string): winston.Logger {
  const logger = winston.createLogger({ defaultMeta: { component }, transports: [consoleTransport()] });
  logger.on('error', () => undefined);
  return logger;
}

/** `12:03:04 worker info task done {"taskId":"t1","attempt":2}`. */
const consoleLine = winston.format.printf((info) => {
  const { timestamp, level, message, component, stack, ...meta } = info;
  const time = typeof timestamp === 'string' ? timestamp.slice(11, 19) : '';
  const extra = Object.keys(meta).length > 0 ? ` ${JSON.stringify(meta)}` : '';
  const trace = typeof stack === 'string' ? `\n${stack}` : '';
  return `${time} ${String(component)} ${level} ${String(message)}${extra}${trace}`;
});

/**
 * Ends the logger and waits until every file transport has handed its last record to the OS.
 * (winston's own `end()` resolves before the rotating file stream is flushed.)
 */
export async function closeLogger(logger: winston.Logger): Promise<void> {
  const resilient = logger.transports.filter(
    (t): t is ResilientFileTransport => t instanceof ResilientFileTransport,
  );
  const finished = new Promise<void>((resolve) => {
    if (logger.writableFinished) resolve();
    else logger.once('finish', () => resolve());
  });
  logger.end();
  await finished;
  await Promise.all(resilient.map((t) => t.closeAndWait()));
}

/** Names of rotated logs (`<prefix>-YYYY-MM-DD[.N].log`) whose last change is older than the retention. */
export function expiredLogFiles(
  files: readonly { name: string; mtimeMs: number }[],
  prefixes: readonly string[],
  retentionDays: number,
  nowMs: number,
): string[] {
  const cutoff = nowMs - retentionDays * 24 * 3600 * 1000;
  return files
    .filter((f) => prefixes.some((p) => isRotatedLogOf(f.name, p)) && f.mtimeMs < cutoff)
    .map((f) => f.name);
}

function isRotatedLogOf(name: string, prefix: string): boolean {
  if (!name.startsWith(`${prefix}-`)) return false;
  return /^\d{4}-\d{2}-\d{2}(\.\d+)?\.log$/.test(name.slice(prefix.length + 1));
}

function sweepExpiredLogs(dir: string, prefixes: string[], retentionDays: number, nowMs: number): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => {
      try {
        return { name: e.name, mtimeMs: fs.statSync(path.join(dir, e.name)).mtimeMs };
      } catch {
        return undefined;
      }
    })
    .filter((f): f is { name: string; mtimeMs: number } => f !== undefined);
  for (const name of expiredLogFiles(files, prefixes, retentionDays, nowMs)) {
    // Another process may have removed it first; that is fine.
    fs.rmSync(path.join(dir, name), { force: true });
  }
}
