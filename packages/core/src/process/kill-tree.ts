import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import treeKill from 'tree-kill';
import type { AttemptJob, Containment } from '../windows/job-object.js';
import { isAlive, processStartTime } from './identity.js';
import {
  descendantsFromLinks,
  listGroupMembers,
  readProcessTable,
  groupHasMembers,
} from './process-table.js';
import { signalGroup, signalProcess } from './signal.js';

export {
  descendantsFromLinks,
  groupHasMembers,
  listDescendants,
  listGroupMembers,
  parsePsTable,
  readProcessTable,
  type ParentLinks,
  type ProcRow,
} from './process-table.js';

const execFileAsync = promisify(execFile);
const POLL_MS = 25;
/** After SIGKILL a process needs only to be scheduled once; this bounds the wait for that. */
const AFTER_KILL_MS = 1000;

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
  /** Windows: the attempt's Job Object; without one (or when it fails) taskkill /T /F is used. */
  job?: AttemptJob;
}

export interface KillTreeResult {
  /** Pids still alive at the end (should be none). */
  survivors: number[];
  /** How the tree was ended (for the ledger: a taskkill fallback says why). */
  method: Containment;
}

/**
 * Ends `pid` and everything it started. POSIX, in layers, because each one alone misses something:
 * the process group (reaches an orphan whose parent already exited), the pids captured before the
 * first signal and during the run (`known`), and tree-kill's walk by parent pid (a child that left
 * the group with setsid while its parent lives). SIGTERM first, then after `graceMs` (or as soon as
 * all are gone) SIGKILL to the same layers plus any late child a re-scan finds. A captured pid
 * whose start time changed is another process by now and is left alone.
 * Windows: TerminateJobObject on the attempt's job, which holds every process the tool started
 * (there is no polite signal for a windowless console program); `taskkill /T /F` when there is no
 * job or the root outlives it.
 */
export async function killTree(pid: number, opts: KillTreeOptions): Promise<KillTreeResult> {
  const platform = opts.platform ?? process.platform;
  if (platform === 'win32') return killTreeWindows(pid, opts);

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
  const rootStart = tree.get(pid);
  const signalAll = (sig: NodeJS.Signals): void => {
    if (opts.pgid !== undefined) signalGroup(opts.pgid, sig);
    for (const [p, start] of tree) if (isAlive(p) && sameProcess(p, start)) signalProcess(p, sig);
    // tree-kill walks parent links now, only while the root is still the process we meant. Not
    // awaited: it runs one `ps` per level (0.5 s each on a loaded machine), and the wait below ends
    // as soon as every tracked process is gone; what it finds meanwhile it signals itself.
    if (isAlive(pid) && sameProcess(pid, rootStart)) void walkByParent(pid, sig);
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
  const waitGone = (ms: number): Promise<boolean> => waitUntil(allGone, ms);
  const method: Containment = { method: 'process-group' };

  signalAll('SIGTERM');
  if (await waitGone(opts.graceMs)) return { survivors: [], method };
  await scan();
  signalAll('SIGKILL');
  await waitGone(AFTER_KILL_MS);
  // One more pass for a child forked between the re-scan and SIGKILL.
  await scan();
  if (living().length > 0) {
    signalAll('SIGKILL');
    await waitGone(AFTER_KILL_MS);
  }
  return { survivors: living(), method };
}

/** tree-kill as the parent-pid layer (POSIX only: on Windows it runs taskkill through a shell, flashing a console). */
function walkByParent(pid: number, sig: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    try {
      treeKill(pid, sig, () => resolve());
    } catch {
      resolve();
    }
  });
}

async function waitUntil(done: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await done()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(POLL_MS, Math.max(1, deadline - Date.now()))),
    );
  }
}

async function killTreeWindows(pid: number, opts: KillTreeOptions): Promise<KillTreeResult> {
  const wait = Math.max(opts.graceMs, AFTER_KILL_MS);
  if (opts.job?.terminate()) {
    const emptied = await waitUntil(() => {
      const left = opts.job?.livePids();
      return left === undefined ? !isAlive(pid) : left.length === 0;
    }, wait);
    if (emptied && !isAlive(pid)) return { survivors: [], method: { method: 'job-object' } };
  }
  const reason = opts.job ? 'the job object did not end the tree' : 'the tool is not in a job object';
  await taskkill(pid);
  await waitUntil(() => !isAlive(pid), wait);
  const left = opts.job?.livePids() ?? [];
  const survivors = [...new Set([...(isAlive(pid) ? [pid] : []), ...left.filter(isAlive)])];
  return { survivors, method: { method: 'taskkill', reason } };
}

function taskkill(pid: number): Promise<void> {
  return execFileAsync(taskkillPath(process.env), taskkillArgs(pid), { windowsHide: true }).then(
    () => undefined,
    // Exit 128: no such process (it ended first). Anything else shows up as a survivor.
    () => undefined,
  );
}

/**
 * SIGKILL to the group led by `pid` and to `pid` itself (in case it is not a leader): for tool
 * processes a dead child reported. Windows: taskkill /T /F (the child's own jobs already ended its
 * tools when its handles closed; this is the fallback for one that was never in a job).
 */
export function killGroupNow(pid: number, platform: NodeJS.Platform = process.platform): Promise<void> {
  if (platform === 'win32') return taskkill(pid);
  signalGroup(pid, 'SIGKILL');
  signalProcess(pid, 'SIGKILL');
  return Promise.resolve();
}

/** SIGKILL to one process (a forked child: it shares the supervisor's group). Windows: taskkill /T /F. */
export function killProcessNow(pid: number, platform: NodeJS.Platform = process.platform): Promise<void> {
  if (platform === 'win32') return taskkill(pid);
  signalProcess(pid, 'SIGKILL');
  return Promise.resolve();
}
