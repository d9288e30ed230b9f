import fs from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { isAlive } from './alive.js';
import { readProcStatSync } from './proc-stat.js';
import { markInEnviron, parseTaskMark, taskMark } from './task-marker.js';

/**
 * Processes that left their attempt's process group (`setsid sleep &`, a double fork, a daemon an
 * agent started) are out of reach of the group kill, but they still carry the attempt's marker in
 * their environment (task-marker.ts). At the end of every attempt they are found by that marker and
 * ended, whatever ended the attempt (success, failure, timeout, cancel).
 *
 * Where it can look: Linux reads /proc/<pid>/environ. macOS has no /proc and `ps -E` shows only
 * the caller's own processes' environment reliably, so it finds nothing there (a documented
 * limit). Windows: the attempt's Job Object ends every process of the attempt; nothing to do here.
 */

export interface MarkedProcess {
  pid: number;
  /** The raw marker value found in its environment. */
  mark: string;
  /** Process start time (Linux: clock ticks since boot), so a reused pid is never signalled. */
  startTime?: string;
}

/**
 * The processes of one attempt among `marked`: same root, same `task#attempt`, any owner pid (a
 * restarted worker ends what its predecessor's attempt left). Never the caller itself. Pure.
 */
export function escapedOfAttempt(
  marked: readonly MarkedProcess[],
  root: string,
  attemptKey: string,
  selfPid: number = process.pid,
): MarkedProcess[] {
  const want = parseTaskMark(taskMark(root, 0, attemptKey));
  if (!want) return [];
  return marked.filter((p) => {
    if (p.pid === selfPid) return false;
    const m = parseTaskMark(p.mark);
    return m !== undefined && m.root === want.root && m.task === want.task;
  });
}

/**
 * Every live process with a marker, read from /proc (Linux); elsewhere an empty list. With
 * `startedAtOrAfter` (clock ticks since boot, the attempt's tool's start time) only processes
 * started since are looked at: a descendant of the tool cannot be older than the tool, and reading
 * every process's environment at every attempt's end costs milliseconds per task on a busy host.
 */
export async function listMarkedProcesses(
  platform: NodeJS.Platform = process.platform,
  startedAtOrAfter?: string,
  window?: PidWindow,
): Promise<MarkedProcess[]> {
  if (platform !== 'linux') return [];
  // A short attempt's few pids are looked at directly, synchronously (/proc is no disk: a read is
  // microseconds, and a thread-pool round trip costs more than the read); otherwise every process.
  const probe = window ? pidsInWindow(window) : undefined;
  let names: string[];
  try {
    names = probe ? probe.map(String) : await fs.readdir('/proc');
  } catch {
    return [];
  }
  const since =
    startedAtOrAfter !== undefined && /^\d+$/.test(startedAtOrAfter) ? BigInt(startedAtOrAfter) : undefined;
  const out: MarkedProcess[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (window && !inPidWindow(pid, window)) continue;
    // The stat line first (a small synchronous read): gone, zombie or too old needs no environment.
    const stat = readProcStatSync(pid);
    if (!stat || stat.state === 'Z') continue;
    if (since !== undefined && stat.startTime !== undefined && isOlder(stat.startTime, since)) continue;
    let environ: string;
    try {
      const file = `/proc/${pid}/environ`;
      environ = probe ? readFileSync(file, 'latin1') : await fs.readFile(file, 'latin1');
    } catch {
      continue; // gone, or not ours to read
    }
    const mark = markInEnviron(environ);
    if (mark === undefined) continue;
    out.push({ pid, mark, ...(stat.startTime ? { startTime: stat.startTime } : {}) });
  }
  return out;
}

/** Pids handed out from `from` (the tool's) up to `to` (the last one now), wrapping at pid_max. */
export interface PidWindow {
  from: number;
  to: number;
}

/**
 * Linux hands out pids in increasing order, wrapping at pid_max, so a process started since the tool
 * has a pid in the cyclic range from the tool's pid to the last pid handed out. Only a short attempt
 * gets the window: a full wrap during it would need pid_max (>= 32768) forks within
 * WINDOW_MAX_MS, far beyond any machine. Pure.
 */
export function pidWindowFor(
  toolPid: number,
  lastPid: number | undefined,
  attemptMs: number,
): PidWindow | undefined {
  if (lastPid === undefined || !Number.isInteger(toolPid) || toolPid <= 0) return undefined;
  if (!(attemptMs >= 0 && attemptMs <= WINDOW_MAX_MS)) return undefined;
  return { from: toolPid, to: lastPid };
}

/** Attempts up to this long look only at pids in their window (see pidWindowFor). */
export const WINDOW_MAX_MS = 200;

/** A window this small is probed pid by pid instead of listing /proc. */
export const WINDOW_PROBE_MAX = 256;

/** The pids of a window, when it does not wrap and holds at most WINDOW_PROBE_MAX of them. Pure. */
export function pidsInWindow(w: PidWindow, max: number = WINDOW_PROBE_MAX): number[] | undefined {
  if (w.from > w.to || w.to - w.from + 1 > max) return undefined;
  return Array.from({ length: w.to - w.from + 1 }, (_, i) => w.from + i);
}

export function inPidWindow(pid: number, w: PidWindow): boolean {
  return w.from <= w.to ? pid >= w.from && pid <= w.to : pid >= w.from || pid <= w.to;
}

/** The last pid handed out in this pid namespace (the 5th field of /proc/loadavg); undefined elsewhere. */
export function lastPidSync(): number | undefined {
  try {
    const last = Number(readFileSync('/proc/loadavg', 'utf8').trim().split(/\s+/)[4]);
    return Number.isInteger(last) && last > 0 ? last : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a start time (ticks) is before `since`; an unparsable one is never skipped. */
export function isOlder(startTime: string, since: bigint): boolean {
  return /^\d+$/.test(startTime) && BigInt(startTime) < since;
}

export interface EndEscapedOptions {
  /** SIGTERM first, SIGKILL after this for those still alive (policies kill grace). */
  graceMs: number;
  platform?: NodeJS.Platform;
  /** Start time of the attempt's tool (processStartTime): older processes are not looked at. */
  toolStartTime?: string;
  /** The tool's pid and how long the attempt ran: a short one looks only at its pid window. */
  tool?: { pid: number; attemptMs: number };
  /** Injectable for tests. */
  list?: () => Promise<MarkedProcess[]>;
}

function samePid(p: MarkedProcess): boolean {
  if (!isAlive(p.pid)) return false;
  const now = readProcStatSync(p.pid)?.startTime;
  return p.startTime === undefined || now === undefined || now === p.startTime;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}

/**
 * Ends every process still carrying the marker of `attemptKey` (`<task id>#<attempt>`) under
 * `root`: SIGTERM, then SIGKILL after `graceMs` for those that stay. The list is taken once up
 * front (with start times), so a pid reused meanwhile is not touched. Returns how many it ended.
 */
export async function endEscapedProcesses(
  root: string,
  attemptKey: string,
  opts: EndEscapedOptions,
): Promise<{ count: number; pids: number[] }> {
  const platform = opts.platform ?? process.platform;
  const window =
    opts.tool && platform === 'linux'
      ? pidWindowFor(opts.tool.pid, lastPidSync(), opts.tool.attemptMs)
      : undefined;
  const all = await (opts.list ?? (() => listMarkedProcesses(platform, opts.toolStartTime, window)))();
  const found = escapedOfAttempt(all, root, attemptKey);
  if (found.length === 0) return { count: 0, pids: [] };
  for (const p of found) if (samePid(p)) signal(p.pid, 'SIGTERM');
  const deadline = Date.now() + opts.graceMs;
  while (Date.now() < deadline && found.some(samePid)) await new Promise((r) => setTimeout(r, 50));
  for (const p of found) if (samePid(p)) signal(p.pid, 'SIGKILL');
  return { count: found.length, pids: found.map((p) => p.pid) };
}
