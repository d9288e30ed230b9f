import { ExitCode, HeadlessError } from '../errors/headless-error.js';
import type { RootLayout } from '../paths.js';
import {
  acquirePidLock,
  holderAlive,
  isHeld,
  readPidLock,
  type HeldPidLock,
  type PidLockContent,
} from './pid-lock.js';

export class WorkerAlreadyRunning extends HeadlessError {
  constructor(
    root: string,
    readonly holder: PidLockContent | undefined,
  ) {
    super(
      `a worker (pid ${holder?.pid ?? 'unknown'}) already runs on ${root}; stop it first ("headless stop") or wait for it to exit`,
      ExitCode.failure,
    );
  }
}

/** One worker per root. The CLI takes the same lock to change task state when no worker runs. */
export async function acquireWorkerLock(
  paths: RootLayout,
  opts: { waitMs?: number } = {},
): Promise<HeldPidLock> {
  const r = await acquirePidLock(paths.workerLock, opts);
  if (!isHeld(r)) throw new WorkerAlreadyRunning(paths.root, r.holder);
  return r;
}

/** Tries the lock once: the held lock, or the live holder. */
export async function tryWorkerLock(
  paths: RootLayout,
): Promise<{ lock: HeldPidLock } | { holder: PidLockContent | undefined }> {
  const r = await acquirePidLock(paths.workerLock, { waitMs: 0 });
  return isHeld(r) ? { lock: r } : { holder: r.holder };
}

/** The live worker holding the lock, if any. */
export async function liveWorker(paths: RootLayout): Promise<PidLockContent | undefined> {
  const c = await readPidLock(paths.workerLock);
  return c && holderAlive(c) ? c : undefined;
}
