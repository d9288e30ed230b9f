import {
  JOB_INFO_CLASS,
  assignAccess,
  attemptJobLimits,
  kernel32,
  parseJobPidList,
  type Handle,
  type Kernel32,
} from './kernel32.js';

/**
 * One Job Object per attempt (Windows). The tool is put in it right after spawn; every process it
 * starts afterwards is born inside it (no breakaway is allowed), so TerminateJobObject ends the
 * whole tree even where parent links are gone (Windows does not re-parent orphans, and
 * `taskkill /T` walks parent links). KILL_ON_JOB_CLOSE: if the worker dies, Windows closes its
 * handle and the tree dies with it.
 *
 * The spawn→assign window: Node cannot spawn a process suspended, so the tool runs for the few
 * microseconds between CreateProcess returning and AssignProcessToJobObject. A child the tool
 * starts inside that window is not in the job (it stays in libuv's job only if it did not break
 * away). A Node or Python tool needs tens of milliseconds of start-up before it can start anything,
 * so in practice the window is empty; a process that did start inside it is reached only by the
 * parent-link walk of `taskkill /T`, which the tree kill runs after the job when the root is still
 * alive. Assigning a process that is already in libuv's job makes a nested job (Windows 8 and
 * later); where that fails the runner falls back to taskkill and reports it (Containment).
 */
export interface AttemptJob {
  /** Puts a running process in the job. */
  assign(pid: number): { ok: true } | { ok: false; error: string };
  /** Ends every process in the job. */
  terminate(exitCode?: number): boolean;
  /** Pids in the job that have not ended yet; undefined when the job cannot be asked. */
  livePids(): number[] | undefined;
  /** Closes the handle: whatever is still in the job is ended (KILL_ON_JOB_CLOSE). Idempotent. */
  close(): void;
}

/** How an attempt's tree is contained and ended: the runner reports it for the ledger. */
export type Containment =
  { method: 'process-group' } | { method: 'job-object' } | { method: 'taskkill'; reason: string };

/** The containment to report for a job that could (or could not) be made and assigned. Pure. */
export function containmentFor(
  platform: NodeJS.Platform,
  job: { ok: true } | { ok: false; error: string } | undefined,
): Containment {
  if (platform !== 'win32') return { method: 'process-group' };
  if (job === undefined) return { method: 'taskkill', reason: 'no job object was made' };
  if (job.ok) return { method: 'job-object' };
  return { method: 'taskkill', reason: `no job object: ${job.error}; the tree is ended with taskkill /T /F` };
}

/** Creates an attempt's job, or says why it could not. */
export function createAttemptJob(platform: NodeJS.Platform = process.platform): AttemptJob | Error {
  const k = kernel32(platform);
  if (k instanceof Error) return new Error(`koffi/kernel32 unavailable (${k.message})`);
  const job = k.CreateJobObjectW(null, null);
  if (!job) return new Error(`CreateJobObjectW failed (error ${k.GetLastError()})`);
  const limits = attemptJobLimits();
  const size = k.koffi.sizeof(k.extendedLimit);
  if (!k.SetInformationJobObject(job, JOB_INFO_CLASS.ExtendedLimitInformation, limits, size)) {
    const code = k.GetLastError();
    k.CloseHandle(job);
    return new Error(`SetInformationJobObject failed (error ${code})`);
  }
  return wrapJob(k, job);
}

function wrapJob(k: Kernel32, job: Handle): AttemptJob {
  let closed = false;
  const pointerSize = k.koffi.sizeof('void *') === 4 ? 4 : 8;
  return {
    assign(pid) {
      if (closed) return { ok: false, error: 'the job is closed' };
      const proc = k.OpenProcess(assignAccess(), false, pid);
      if (!proc) return { ok: false, error: `OpenProcess(${pid}) failed (error ${k.GetLastError()})` };
      try {
        if (k.AssignProcessToJobObject(job, proc)) return { ok: true };
        return { ok: false, error: `AssignProcessToJobObject failed (error ${k.GetLastError()})` };
      } finally {
        k.CloseHandle(proc);
      }
    },
    terminate(exitCode = 1) {
      return !closed && k.TerminateJobObject(job, exitCode);
    },
    livePids() {
      if (closed) return undefined;
      const buf = Buffer.alloc(8 + pointerSize * 1024);
      if (!k.QueryInformationJobObject(job, JOB_INFO_CLASS.BasicProcessIdList, buf, buf.length, null))
        return undefined;
      return parseJobPidList(buf, pointerSize).pids;
    },
    close() {
      if (closed) return;
      closed = true;
      k.CloseHandle(job);
    },
  };
}
