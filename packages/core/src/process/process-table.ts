import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { hasProcfs, readProcTable } from './proc-stat.js';

/**
 * The process table as parent links and groups, read in one pass: /proc on Linux (proc-stat.ts is
 * the one reader of /proc), `ps` on macOS/BSD, nothing on Windows (there the Job Object is the tree).
 */

const execFileAsync = promisify(execFile);

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
