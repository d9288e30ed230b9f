import { HeadlessError, ExitCode } from '@headless/core/errors/headless-error';
import {
  acquirePidLock,
  holderAlive,
  isHeld,
  readPidLock,
  systemProbe,
  type PidLockContent,
  type ProcessProbe,
} from '@headless/core/run-state/pid-lock';

export type { ProcessProbe } from '@headless/core/run-state/pid-lock';

/** The supervisor's view of its lock (one pid-lock module for supervisor and worker). */
export interface LockInfo {
  pid: number;
  startedAt: string;
  procStart?: string;
}

export class SupervisorAlreadyRunning extends HeadlessError {
  readonly holder: LockInfo;
  constructor(holder: LockInfo, root: string) {
    super(
      `a supervisor (pid ${holder.pid}, started ${holder.startedAt}) already runs on ${root}; stop it with "headless stop"`,
      ExitCode.failure,
    );
    this.holder = holder;
  }
}

function info(c: PidLockContent): LockInfo {
  return { pid: c.pid, startedAt: c.at, ...(c.startTime ? { procStart: c.startTime } : {}) };
}

export async function readLock(file: string): Promise<LockInfo | undefined> {
  const c = await readPidLock(file);
  return c ? info(c) : undefined;
}

export function lockIsLive(l: LockInfo, probe: ProcessProbe = systemProbe): boolean {
  return holderAlive({ pid: l.pid, ...(l.procStart ? { startTime: l.procStart } : {}) }, probe);
}

export interface HeldLock {
  readonly info: LockInfo;
  /** Why a stale lock was replaced, if one was. */
  readonly takenOver: string | undefined;
  release(): Promise<void>;
}

/**
 * One supervisor per root: the pid lock (pid + start time + token). A lock whose holder is proven
 * dead is taken over; an empty or half-written one only once it is older than the grace period.
 */
export async function acquireLock(
  file: string,
  root: string,
  now: () => number = Date.now,
  probe: ProcessProbe = systemProbe,
): Promise<HeldLock> {
  const r = await acquirePidLock(file, { probe, now });
  if (!isHeld(r)) {
    throw new SupervisorAlreadyRunning(r.holder ? info(r.holder) : { pid: 0, startedAt: 'unknown' }, root);
  }
  return { info: info(r.content), takenOver: r.replaced, release: () => r.release() };
}
