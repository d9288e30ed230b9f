import { windowsProcessStartTime } from '../windows/kernel32.js';
import { hasProcfs, readProcStatSync } from './proc-stat.js';
import { nodeChildProcess } from '../lazy-builtins.js';

/**
 * Who a pid is: alive or not, and when it started. A pid alone names a process only while it
 * lives (pids are reused), so every lock and every recorded tool pid keeps its start time too, and
 * nothing is trusted or signalled whose start time has changed.
 * - Linux: /proc/<pid>/stat (state and field 22, clock ticks since boot).
 * - Windows: the creation time from GetProcessTimes (through koffi), FILETIME as a decimal string.
 * - macOS/BSD: `ps -o lstart=` (to the second, in the C locale).
 */

const procfs = hasProcfs();

/**
 * Whether a process is still running. `process.kill(pid, 0)` also succeeds on a zombie (ended but not
 * yet reaped, common for orphans under a container's PID 1), so on Linux the state in /proc decides.
 * On Windows libuv answers signal 0 with OpenProcess + GetExitCodeProcess (STILL_ACTIVE).
 */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (procfs) {
    const stat = readProcStatSync(pid);
    return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An opaque start-time token for a pid, undefined when the process is gone or the platform cannot
 * tell. Record it next to a pid: the same pid with another start time is another process.
 */
export function processStartTime(
  pid: number,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (platform === 'linux' && procfs) return readProcStatSync(pid)?.startTime;
  if (platform === 'win32') return windowsProcessStartTime(pid);
  if (platform === 'darwin' || platform === 'freebsd' || platform === 'openbsd') return psStartTime(pid);
  return undefined;
}

/**
 * Whether `pid` is still the process whose start time was recorded as `start`. An unknown
 * recorded start (an old lock, a platform that cannot tell) trusts the pid; a process whose start
 * cannot be read now while one was recorded is not the same.
 */
export function isSameProcess(pid: number, start: string | undefined): boolean {
  if (!isAlive(pid)) return false;
  return start === undefined || processStartTime(pid) === start;
}

/** The parent of a pid where the platform says it cheaply (Linux /proc); undefined otherwise. */
export function parentPid(pid: number): number | undefined {
  return procfs ? readProcStatSync(pid)?.ppid : undefined;
}

/**
 * `ps -o lstart=` output (`Tue Dec  1 20:05:30 2026`) as a token; undefined for anything else.
 * Pure. The C locale keeps the words English; runs of spaces are collapsed (day padding).
 */
export function parseLstart(text: string): string | undefined {
  const t = text.trim().replace(/\s+/g, ' ');
  return /^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{1,2} \d{2}:\d{2}:\d{2} \d{4}$/.test(t) ? t : undefined;
}

function psStartTime(pid: number): string | undefined {
  try {
    const out = nodeChildProcess().execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], {
      encoding: 'utf8',
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
      stdio: ['ignore', 'pipe', 'ignore'],
      windowsHide: true,
      timeout: 5000,
    });
    return parseLstart(out);
  } catch {
    // Exit 1: no such process.
    return undefined;
  }
}
