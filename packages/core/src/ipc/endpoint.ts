/**
 * How node-ipc 14 is told where to listen and where to connect. Pure, so every platform's branch is
 * unit-tested on Linux.
 *
 * Why this exists (found under Wine, the cause of `headless start` crash-looping on win32): on
 * win32 node-ipc's server rewrites whatever path it is given as
 * `\\.\pipe\` + path.replace(/^\//, '').replace(/\//g, '-') — unconditionally — while its client
 * keeps a path that already starts with `\\.\pipe\`. Handing both the full pipe name made the
 * server listen on `\\.\pipe\\\.\pipe\headless-…` and the child dial `\\.\pipe\headless-…`, which
 * nobody served. The server must be given the bare pipe name, the client the full one.
 */

const PIPE_PREFIX = '\\\\.\\pipe\\';

/** A Windows named-pipe path (`\\.\pipe\name`, also `\\?\pipe\name`). */
export function isPipePath(p: string): boolean {
  return /^\\\\[.?]\\pipe\\/i.test(p);
}

/** The name after `\\.\pipe\`. Throws for anything that is not a pipe path. */
export function pipeName(p: string): string {
  if (!isPipePath(p)) throw new RangeError(`not a named pipe path: ${p}`);
  return p.slice(PIPE_PREFIX.length);
}

/** The value to pass to node-ipc's `serve()` so that it listens on exactly `socketPath`. */
export function serverServePath(socketPath: string, platform: NodeJS.Platform): string {
  if (platform !== 'win32') return socketPath;
  const name = pipeName(socketPath);
  // node-ipc would turn '/' into '-' and drop a leading one: a name holding either is not served as given.
  if (name.includes('/') || name.length === 0)
    throw new RangeError(`pipe name node-ipc would rewrite: ${name}`);
  return name;
}

/** The path node-ipc's server ends up listening on, given what `serve()` got (its own rewrite). */
export function nodeIpcListenPath(servePath: string, platform: NodeJS.Platform): string {
  if (platform !== 'win32') return servePath;
  return `${PIPE_PREFIX}${servePath.replace(/^\//, '').replace(/\//g, '-')}`;
}

/** The value to pass to node-ipc's `connectTo()`: the full pipe path is kept as it is. */
export function clientConnectPath(socketPath: string, platform: NodeJS.Platform): string {
  if (platform === 'win32' && !isPipePath(socketPath))
    throw new RangeError(`on Windows the supervisor listens on a named pipe, not ${socketPath}`);
  return socketPath;
}

/** The node-ipc settings of the supervisor's end. */
export interface ServerSettings {
  silent: true;
  parser: 'guarded';
  maxConnections: number;
  maxMessageSize: number;
  /** Only where there is a folder to protect (POSIX); a named pipe has none. */
  socketRoot?: string;
  secureSocketRoot: boolean;
  /** node-ipc unlinks a stale socket file on POSIX; a pipe has no file. */
  unlink: boolean;
}

export function serverSettings(socketRoot: string | null, platform: NodeJS.Platform): ServerSettings {
  const pipe = platform === 'win32';
  return {
    silent: true,
    parser: 'guarded',
    maxConnections: 16,
    maxMessageSize: 1024 * 1024,
    ...(socketRoot && !pipe ? { socketRoot } : {}),
    // On win32 node-ipc skips the folder checks anyway; saying so keeps the intent visible.
    secureSocketRoot: !pipe,
    unlink: !pipe,
  };
}

/** The node-ipc settings of a child's end. */
export interface ClientSettings {
  silent: true;
  parser: 'guarded';
  /** node-ipc retries forever by default: an orphaned child would never notice and never exit. */
  maxRetries: number;
  retry: number;
}

export function clientSettings(opts: { maxRetries?: number; retryMs?: number }): ClientSettings {
  return { silent: true, parser: 'guarded', maxRetries: opts.maxRetries ?? 3, retry: opts.retryMs ?? 100 };
}
