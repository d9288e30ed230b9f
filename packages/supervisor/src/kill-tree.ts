import { execFile } from 'node:child_process';
import { taskkillArgs, taskkillPath } from '@headless/core/process/kill-tree';

/**
 * Ends processes for good. Tool processes are spawned as process-group leaders on POSIX, so one
 * signal to the group reaches every descendant, even one that ignores SIGTERM or whose parent
 * already exited (tree-kill would miss it: it walks the tree once). Windows has no groups:
 * `taskkill /T /F`, run without a console window (tree-kill's own call flashes one).
 */

export type KillTarget = 'process' | 'group';

function signalOne(pid: number, signal: NodeJS.Signals): boolean {
  // Never ourselves or our own group (a reported pid is data from a child, not a proof).
  if (Math.abs(pid) <= 1 || Math.abs(pid) === process.pid) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Sends SIGKILL to the group led by `pid` (and to `pid` itself, in case it is not a leader). */
export function killGroupNow(pid: number, platform: NodeJS.Platform = process.platform): Promise<void> {
  if (platform === 'win32') return taskkill(pid);
  signalOne(-pid, 'SIGKILL');
  signalOne(pid, 'SIGKILL');
  return Promise.resolve();
}

/** Sends SIGKILL to one process (a forked child: it shares the supervisor's group). */
export function killProcessNow(pid: number, platform: NodeJS.Platform = process.platform): Promise<void> {
  if (platform === 'win32') return taskkill(pid);
  signalOne(pid, 'SIGKILL');
  return Promise.resolve();
}

function taskkill(pid: number): Promise<void> {
  return new Promise((resolve) => {
    // A failure means it is already gone or not ours; the caller checks liveness afterwards.
    execFile(taskkillPath(process.env), taskkillArgs(pid), { windowsHide: true }, () => resolve());
  });
}
