import { execFileSync } from 'node:child_process';
import { hasProcfs, readProcStatSync } from './proc-stat.js';

/**
 * Sending signals with the one rule every caller shares: never this process, never pid 0/1, and
 * never our own process group (a child spawned without `detached` shares it, and a pid or group id
 * reported by a child is data, not proof). POSIX only: Windows has no signals for windowless
 * programs (Job Objects and taskkill there).
 */

let ownGroup: number | undefined | null = null;

/** This process's group id (Linux: /proc; macOS/BSD: ps, once); undefined on Windows or when unknown. */
export function ownProcessGroup(): number | undefined {
  if (ownGroup !== null) return ownGroup;
  ownGroup = undefined;
  if (process.platform === 'win32') return ownGroup;
  if (hasProcfs()) ownGroup = readProcStatSync(process.pid)?.pgrp;
  else {
    try {
      const out = execFileSync('ps', ['-o', 'pgid=', '-p', String(process.pid)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        windowsHide: true,
      });
      const n = Number(out.trim());
      if (Number.isInteger(n) && n > 0) ownGroup = n;
    } catch {
      // Unknown: the pid check below still keeps us out of our own group when we lead it.
    }
  }
  return ownGroup;
}

/** Whether a process (or, with `group`, a process group) may be signalled at all. Pure given `own`. */
export function mayTarget(
  id: number,
  kind: 'process' | 'group',
  own: { pid: number; pgrp: number | undefined } = { pid: process.pid, pgrp: ownProcessGroup() },
): boolean {
  if (!Number.isInteger(id) || id <= 1) return false;
  if (id === own.pid) return false;
  return kind === 'process' || id !== own.pgrp;
}

/** Signals one process; false when refused by the rule or it is gone. */
export function signalProcess(pid: number, sig: NodeJS.Signals): boolean {
  if (!mayTarget(pid, 'process')) return false;
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** Signals a whole process group; false when refused by the rule or the group is empty. */
export function signalGroup(pgid: number, sig: NodeJS.Signals): boolean {
  if (!mayTarget(pgid, 'group')) return false;
  try {
    process.kill(-pgid, sig);
    return true;
  } catch {
    // ESRCH: the group is empty already.
    return false;
  }
}
