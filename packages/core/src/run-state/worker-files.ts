import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../fs/atomic.js';
import { isAlive, processStartTime } from '../process/alive.js';
import { ExitCode, HeadlessError } from '../errors/headless-error.js';

/** What `.tasks/run/worker.json` holds: the worker's heartbeat, read by status and recovery. */
export interface WorkerHeartbeat {
  pid: number;
  startTime?: string;
  startedAt: string;
  at: string;
  state: 'running' | 'stopping' | 'stopped';
  supervised: boolean;
  running: { id: string; attempt: number; tool: string; pid?: number; startedAt: string }[];
}

export async function writeHeartbeat(runDir: string, hb: WorkerHeartbeat): Promise<void> {
  // A heartbeat is rewritten every few seconds; losing the last one to a power cut costs nothing.
  await writeFileAtomic(path.join(runDir, 'worker.json'), JSON.stringify(hb), { fsync: false });
}

export async function readHeartbeat(runDir: string): Promise<WorkerHeartbeat | undefined> {
  try {
    return JSON.parse(await fs.readFile(path.join(runDir, 'worker.json'), 'utf8')) as WorkerHeartbeat;
  } catch {
    return undefined;
  }
}

export class WorkerAlreadyRunning extends HeadlessError {
  constructor(root: string, pid: number) {
    super(
      `a worker (pid ${pid}) already runs on ${root}; stop it first ("headless stop") or wait for it to exit`,
      ExitCode.failure,
    );
  }
}

interface LockContent {
  pid: number;
  startTime?: string;
}

/** Is the process that wrote this lock still the same living process (pids get reused)? */
export function lockHolderAlive(c: LockContent): boolean {
  if (!isAlive(c.pid)) return false;
  if (c.startTime === undefined) return true;
  return processStartTime(c.pid) === c.startTime;
}

/** One worker per root: an exclusive lock file; a lock left by a dead worker is taken over. */
export async function acquireWorkerLock(runDir: string, root: string): Promise<() => Promise<void>> {
  await fs.mkdir(runDir, { recursive: true });
  const file = path.join(runDir, 'worker.lock');
  const mine: LockContent = { pid: process.pid, ...optionalStart(process.pid) };
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fh = await fs.open(file, 'wx');
      await fh.writeFile(JSON.stringify(mine));
      await fh.close();
      return async () => {
        const cur = await readLock(file);
        if (cur?.pid === process.pid) await fs.rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = await readLock(file);
      if (holder && holder.pid !== process.pid && lockHolderAlive(holder))
        throw new WorkerAlreadyRunning(root, holder.pid);
      await fs.rm(file, { force: true });
    }
  }
  throw new WorkerAlreadyRunning(root, -1);
}

async function readLock(file: string): Promise<LockContent | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as LockContent;
  } catch {
    return undefined;
  }
}

export function optionalStart(pid: number): { startTime?: string } {
  const t = processStartTime(pid);
  return t === undefined ? {} : { startTime: t };
}

/** `headless cancel` of a running task leaves a request file; the worker ends the task. */
export function cancelDir(runDir: string): string {
  return path.join(runDir, 'cancel');
}

/** `headless retry --reset-breaker TOOL` leaves a request file named after the tool; the worker closes that breaker. */
export function breakerResetDir(runDir: string): string {
  return path.join(runDir, 'breaker-reset');
}

export async function pendingCancels(runDir: string): Promise<string[]> {
  try {
    return await fs.readdir(cancelDir(runDir));
  } catch {
    return [];
  }
}
