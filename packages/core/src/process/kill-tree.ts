import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { isAlive, processStartTime } from './alive.js';
import { hasProcfs, readProcStatSync, readProcTable } from './proc-stat.js';

const execFileAsync = promisify(execFile);
const POLL_MS = 25;
/** After SIGKILL a process needs only to be scheduled once; this bounds the wait for that. */
const AFTER_KILL_MS = 1000;

/** Parent links of a process table: pid -> ppid. */
export type ParentLinks = ReadonlyArray<readonly [pid: number, ppid: number]>;

/** All descendants of `root` (children, grandchildren, …) in a table of parent links. */
export function descendantsFromLinks(root: number, links: ParentLinks): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of links) {
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const out: number[] = [];
  const seen = new Set<number>([root]);
  const queue = [root];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const child of children.get(next) ?? []) {
      if (seen.has(child)) continue;
      seen.add(child);
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** One row of the process table. */
export interface ProcRow {
  pid: number;
  ppid: number;
  pgrp: number;
  /** Ended (zombie or dead) but still listed. */
  ended: boolean;
}

/** Parses `ps -A -o pid=,ppid=,pgid=,stat=` output. */
export function parsePsTable(text: string): ProcRow[] {
  const rows: ProcRow[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s*$/.exec(line);
    if (m)
      rows.push({
        pid: Number(m[1]),
        ppid: Number(m[2]),
        pgrp: Number(m[3]),
        ended: (m[4] ?? '').startsWith('Z'),
      });
  }
  return rows;
}

/**
 * The process table in one pass: /proc on Linux, `ps` on macOS/BSD, [] on Windows or when `ps`
 * fails. One pass per decision matters: reading /proc costs 15-40 ms on a busy machine.
 */
export async function readProcessTable(platform: NodeJS.Platform = process.platform): Promise<ProcRow[]> {
  if (platform === 'win32') return [];
  if (hasProcfs(platform)) {
    return (await readProcTable()).map((s) => ({
      pid: s.pid,
      ppid: s.ppid,
      pgrp: s.pgrp,
      ended: s.state === 'Z' || s.state === 'X',
    }));
  }
  try {
    const { stdout } = await execFileAsync('ps', ['-A', '-o', 'pid=,ppid=,pgid=,stat='], {
      windowsHide: true,
    });
    return parsePsTable(stdout);
  } catch {
    return [];
  }
}

/** The arguments of the Windows tree kill (run with execFile and windowsHide, never through tree-kill's exec). */
export function taskkillArgs(pid: number): string[] {
  return ['/PID', String(pid), '/T', '/F'];
}

/** System32's taskkill by full path (a taskkill.exe earlier on PATH must not be run instead). */
export function taskkillPath(env: NodeJS.ProcessEnv): string {
  const root = [env.SystemRoot, env.SYSTEMROOT, env.windir].find(
    (d) => d !== undefined && /^[a-z]:[\\/]/i.test(d),
  );
  return root === undefined ? 'taskkill.exe' : path.win32.join(root, 'System32', 'taskkill.exe');
}

/** Descendants of `pid` (not `pid` itself). Linux reads /proc in one pass; macOS/BSD asks `ps`. */
export async function listDescendants(
  pid: number,
  opts: { platform?: NodeJS.Platform } = {},
): Promise<number[]> {
  const table = await readProcessTable(opts.platform);
  return descendantsFromLinks(
    pid,
    table.map((r) => [r.pid, r.ppid] as const),
  );
}

/** Live members of a process group (POSIX). */
export async function listGroupMembers(
  pgid: number,
  opts: { platform?: NodeJS.Platform } = {},
): Promise<number[]> {
  const table = await readProcessTable(opts.platform);
  return table.filter((r) => r.pgrp === pgid && !r.ended).map((r) => r.pid);
}

/** One syscall: whether any process (a zombie too) is still in the group. */
export function groupHasMembers(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const ownPgrp = hasProcfs() ? readProcStatSync(process.pid)?.pgrp : undefined;

function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  // Never the runner's own group: a child spawned without `detached` shares it.
  if (pgid <= 1 || pgid === ownPgrp || pgid === process.pid) return;
  try {
    process.kill(-pgid, sig);
  } catch {
    // ESRCH: the group is empty already.
  }
}

export interface KillTreeOptions {
  /** Time between SIGTERM and SIGKILL. */
  graceMs: number;
  platform?: NodeJS.Platform;
  /** The process group to signal as a whole (POSIX; the pid of a child spawned `detached`). */
  pgid?: number;
  /**
   * Processes seen in the tree earlier (e.g. while the root was still alive), pid -> start time as
   * recorded then (processStartTime); one whose start time has changed is not signalled.
   */
  known?: ReadonlyMap<number, string | undefined>;
}

/**
 * Ends `pid` and everything it started. POSIX: the descendants are captured before the first signal
 * (an orphan is unreachable through parent links afterwards), SIGTERM goes to the group and to every
 * captured pid, then after `graceMs` (or as soon as all are gone) SIGKILL to the group, the captured
 * pids and any late child found by a re-scan. A captured pid whose start time changed is another
 * process by now and is left alone. Windows: `taskkill /T /F` (there is no polite signal for a
 * windowless console program). Returns the pids still alive at the end (should be none).
 */
export async function killTree(pid: number, opts: KillTreeOptions): Promise<{ survivors: number[] }> {
  const platform = opts.platform ?? process.platform;
  if (platform === 'win32') return killTreeWindows(pid, opts.graceMs);

  const tree = new Map<number, string | undefined>();
  const track = (p: number, start = processStartTime(p)): void => {
    if (p > 1 && p !== process.pid && !tree.has(p)) tree.set(p, start);
  };
  const scan = async (): Promise<void> => {
    const table = await readProcessTable(platform);
    const links = table.map((r) => [r.pid, r.ppid] as const);
    const roots = [pid, ...[...tree.keys()].filter(isAlive)];
    for (const root of roots) for (const d of descendantsFromLinks(root, links)) track(d);
    if (opts.pgid !== undefined) for (const r of table) if (r.pgrp === opts.pgid && !r.ended) track(r.pid);
  };
  track(pid);
  for (const [p, start] of opts.known ?? []) track(p, start);
  await scan();

  const sameProcess = (p: number, start: string | undefined): boolean =>
    start === undefined || processStartTime(p) === start;
  const signalAll = (sig: NodeJS.Signals): void => {
    if (opts.pgid !== undefined) signalGroup(opts.pgid, sig);
    for (const [p, start] of tree) {
      if (!isAlive(p) || !sameProcess(p, start)) continue;
      try {
        process.kill(p, sig);
      } catch {
        // Gone meanwhile.
      }
    }
  };
  const living = (): number[] =>
    [...tree].filter(([p, start]) => isAlive(p) && sameProcess(p, start)).map(([p]) => p);
  const allGone = async (): Promise<boolean> => {
    if (living().length > 0) return false;
    // The cheap check first; only a group that still answers (maybe just zombies) needs the table.
    if (opts.pgid === undefined || !groupHasMembers(opts.pgid)) return true;
    const members = await listGroupMembers(opts.pgid, { platform });
    members.forEach((m) => track(m));
    return members.length === 0;
  };
  const waitGone = async (ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    for (;;) {
      if (await allGone()) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(POLL_MS, Math.max(1, deadline - Date.now()))),
      );
    }
  };

  signalAll('SIGTERM');
  if (await waitGone(opts.graceMs)) return { survivors: [] };
  await scan();
  signalAll('SIGKILL');
  await waitGone(AFTER_KILL_MS);
  // One more pass for a child forked between the re-scan and SIGKILL.
  await scan();
  if (living().length > 0) {
    signalAll('SIGKILL');
    await waitGone(AFTER_KILL_MS);
  }
  return { survivors: living() };
}

async function killTreeWindows(pid: number, graceMs: number): Promise<{ survivors: number[] }> {
  try {
    await execFileAsync(taskkillPath(process.env), taskkillArgs(pid), { windowsHide: true });
  } catch {
    // Exit 128: no such process (it ended first). Anything else shows up as a survivor below.
  }
  const deadline = Date.now() + Math.max(graceMs, AFTER_KILL_MS);
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  return { survivors: isAlive(pid) ? [pid] : [] };
}
