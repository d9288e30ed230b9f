import { createHash } from 'node:crypto';
import path from 'node:path';
import { isAlive } from './identity.js';
import { listProcPids, readProcEnvironSync, readProcStatSync } from './proc-stat.js';
import { signalGroup, signalProcess } from './signal.js';

/**
 * Every tool process (and so every grandchild, which inherits the environment) carries a marker
 * naming its root and the process that owns it. If that owner dies between spawning a tool and
 * recording its pid (the one window no pid bookkeeping can close), the tool can still be found and
 * ended: a sweep kills marked processes whose owner is gone.
 */
export const TASK_MARK_ENV = 'HEADLESS_TASK_MARK';

function rootId(root: string): string {
  return createHash('sha256').update(path.resolve(root)).digest('hex').slice(0, 12);
}

/** The marker value: `<root id>:<owner pid>:<task id>#<attempt>`. */
export function taskMark(root: string, ownerPid: number, task: string): string {
  return `${rootId(root)}:${ownerPid}:${task}`;
}

export function parseTaskMark(value: string): { root: string; owner: number; task: string } | undefined {
  const m = /^([0-9a-f]{12}):(\d+):(.+)$/.exec(value);
  return m ? { root: m[1] as string, owner: Number(m[2]), task: m[3] as string } : undefined;
}

/** The marker in a NUL-separated environment block (/proc/<pid>/environ). */
export function markInEnviron(environ: string): string | undefined {
  for (const entry of environ.split('\0')) {
    if (entry.startsWith(`${TASK_MARK_ENV}=`)) return entry.slice(TASK_MARK_ENV.length + 1);
  }
  return undefined;
}

export interface OrphanSweep {
  killed: { pid: number; task: string; owner: number }[];
}

/**
 * Kills the marked processes of `root` whose owner is dead (and their process groups). Linux only
 * (it reads /proc); elsewhere it finds nothing. `isOwnerAlive` lets the caller say which owners still
 * count (default: the pid is alive).
 */
export async function sweepOrphanedTools(
  root: string,
  opts: { isOwnerAlive?: (pid: number) => boolean } = {},
): Promise<OrphanSweep> {
  const out: OrphanSweep = { killed: [] };
  if (process.platform !== 'linux') return out;
  const ours = rootId(root);
  const ownerAlive = opts.isOwnerAlive ?? isAlive;
  for (const pid of await listProcPids()) {
    if (pid === process.pid) continue;
    // Synchronous on purpose: /proc is no disk, ~80 environs read in 3-6 ms, where awaited reads
    // queued behind the thread pool cost 17-80 ms of a restart (and of the worker's recovery).
    const environ = readProcEnvironSync(pid);
    if (environ === undefined) continue;
    const raw = markInEnviron(environ);
    const mark = raw === undefined ? undefined : parseTaskMark(raw);
    if (!mark || mark.root !== ours || ownerAlive(mark.owner)) continue;
    const stat = readProcStatSync(pid);
    if (!stat || stat.state === 'Z') continue;
    // signalGroup never reaches our own group (a marked process that shares it was not started as a tool).
    signalGroup(stat.pgrp, 'SIGKILL');
    signalProcess(pid, 'SIGKILL');
    out.killed.push({ pid, task: mark.task, owner: mark.owner });
  }
  return out;
}
