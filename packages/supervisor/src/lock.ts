import fs from 'node:fs/promises';
import path from 'node:path';
import { HeadlessError, ExitCode } from '@headless/core/errors/headless-error';
import { isAlive, processStartTime } from '@headless/core/process/alive';

/** `.tasks/run/supervisor.lock`: one supervisor per root. */
export interface LockInfo {
  pid: number;
  startedAt: string;
  /** Kernel start time of the pid (Linux), to tell the owner from a process that reused its pid. */
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

export interface ProcessProbe {
  isAlive(pid: number): boolean;
  startTicks(pid: number): string | undefined;
}

const realProbe: ProcessProbe = { isAlive, startTicks: processStartTime };

export function lockFile(runDir: string): string {
  return path.join(runDir, 'supervisor.lock');
}

export async function readLock(file: string): Promise<LockInfo | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as Partial<LockInfo>;
    if (typeof value.pid !== 'number' || typeof value.startedAt !== 'string') return undefined;
    return {
      pid: value.pid,
      startedAt: value.startedAt,
      ...(value.procStart ? { procStart: value.procStart } : {}),
    };
  } catch {
    return undefined;
  }
}

/** The holder still runs: its pid is alive and (where known) started at the recorded time. */
export function lockIsLive(info: LockInfo, probe: ProcessProbe = realProbe): boolean {
  if (!probe.isAlive(info.pid)) return false;
  if (info.procStart === undefined) return true;
  const now = probe.startTicks(info.pid);
  return now === undefined || now === info.procStart;
}

export interface HeldLock {
  readonly info: LockInfo;
  /** The stale lock that was taken over, if any (for a notice). */
  readonly takenOver: LockInfo | undefined;
  release(): Promise<void>;
}

/**
 * Takes the lock with an exclusive create. A lock whose holder is dead (or whose pid now belongs
 * to another process) is taken over; a live one is a SupervisorAlreadyRunning.
 */
export async function acquireLock(
  runDir: string,
  root: string,
  now: Date = new Date(),
  probe: ProcessProbe = realProbe,
): Promise<HeldLock> {
  await fs.mkdir(runDir, { recursive: true });
  const file = lockFile(runDir);
  const info: LockInfo = { pid: process.pid, startedAt: now.toISOString() };
  const ticks = probe.startTicks(process.pid);
  if (ticks !== undefined) info.procStart = ticks;
  let takenOver: LockInfo | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await fs.open(file, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify(info) + '\n');
        await handle.sync();
      } finally {
        await handle.close();
      }
      return {
        info,
        takenOver,
        release: async () => {
          const current = await readLock(file);
          if (current?.pid === info.pid && current.startedAt === info.startedAt)
            await fs.rm(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder = await readLock(file);
    if (!holder) {
      // The holder may be between its create and its write: look once more before judging.
      await new Promise((resolve) => setTimeout(resolve, 100));
      holder = await readLock(file);
    }
    if (holder && lockIsLive(holder, probe)) throw new SupervisorAlreadyRunning(holder, root);
    takenOver = holder ?? { pid: 0, startedAt: 'unknown (unreadable lock)' };
    await fs.rm(file, { force: true });
  }
  throw new HeadlessError(
    `could not take ${file}: another supervisor keeps starting at the same time; try again`,
  );
}
