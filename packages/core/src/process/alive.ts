import { hasProcfs, readProcStatSync } from './proc-stat.js';

const procfs = hasProcfs();

/**
 * Whether a process is still running. `process.kill(pid, 0)` also succeeds on a zombie (ended but not
 * yet reaped, common for orphans under a container's PID 1), so on Linux the state in /proc decides.
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
 * An opaque start-time token for a pid (Linux: field 22 of /proc/<pid>/stat), undefined elsewhere or
 * when the process is gone. Record it next to a pid: the same pid with another start time is another
 * process (pids are reused).
 */
export function processStartTime(pid: number): string | undefined {
  if (!procfs || !Number.isInteger(pid) || pid <= 0) return undefined;
  return readProcStatSync(pid)?.startTime;
}
