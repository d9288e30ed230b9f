import { createRequire } from 'node:module';
import type * as Koffi from 'koffi';

/**
 * The few kernel32 calls headless needs on Windows (Job Objects, process creation times), bound
 * through koffi. koffi ships its Windows binaries inside its npm packages (no build on the user's
 * machine); it is loaded lazily and only on win32, so POSIX never loads a native module for this.
 * Everything that can be computed without calling Windows lives in the pure functions below and is
 * tested on Linux (koffi itself loads there too, so the struct layouts are checked for real).
 */

/** JOBOBJECT_BASIC_LIMIT_INFORMATION.LimitFlags values (winnt.h). */
export const JOB_LIMIT = {
  KILL_ON_JOB_CLOSE: 0x2000,
  BREAKAWAY_OK: 0x800,
  SILENT_BREAKAWAY_OK: 0x1000,
  DIE_ON_UNHANDLED_EXCEPTION: 0x400,
} as const;

/** JOBOBJECTINFOCLASS values. */
export const JOB_INFO_CLASS = { BasicProcessIdList: 3, ExtendedLimitInformation: 9 } as const;

/** Process access rights. */
export const PROCESS_ACCESS = {
  TERMINATE: 0x0001,
  SET_QUOTA: 0x0100,
  QUERY_LIMITED_INFORMATION: 0x1000,
} as const;

/**
 * The limits of an attempt's job: its whole tree dies when the last handle closes (the worker
 * ends or crashes), no process may leave it (no BREAKAWAY_OK / SILENT_BREAKAWAY_OK: a grandchild
 * that asks CREATE_BREAKAWAY_FROM_JOB fails to start instead of escaping), and a crashing tool does
 * not wait on a Windows Error Reporting dialog nobody can see.
 */
export function attemptJobLimitFlags(): number {
  return JOB_LIMIT.KILL_ON_JOB_CLOSE | JOB_LIMIT.DIE_ON_UNHANDLED_EXCEPTION;
}

/** The access the runner needs on a tool's process to put it in a job and read its creation time. */
export function assignAccess(): number {
  return PROCESS_ACCESS.SET_QUOTA | PROCESS_ACCESS.TERMINATE | PROCESS_ACCESS.QUERY_LIMITED_INFORMATION;
}

/**
 * A creation time as the identity token stored next to a pid: FILETIME (100 ns since 1601) as a
 * decimal string. Zero means "unknown" (Windows never reports it for a live process).
 */
export function filetimeToken(filetime: bigint): string | undefined {
  return filetime > 0n ? filetime.toString(10) : undefined;
}

/**
 * JOBOBJECT_BASIC_PROCESS_ID_LIST as written by QueryInformationJobObject: DWORD assigned, DWORD
 * in list, then ULONG_PTR ids (8 bytes on x64 and arm64, 4 on ia32), aligned to the pointer size.
 */
export function parseJobPidList(buf: Buffer, pointerSize: 4 | 8 = 8): { assigned: number; pids: number[] } {
  if (buf.length < 8) return { assigned: 0, pids: [] };
  const assigned = buf.readUInt32LE(0);
  const inList = buf.readUInt32LE(4);
  const pids: number[] = [];
  const start = 8;
  for (let i = 0; i < inList && start + (i + 1) * pointerSize <= buf.length; i++) {
    const at = start + i * pointerSize;
    pids.push(pointerSize === 8 ? Number(buf.readBigUInt64LE(at)) : buf.readUInt32LE(at));
  }
  return { assigned, pids };
}

/** The struct types, declared once per koffi instance (koffi refuses a second type of one name). */
export function defineJobStructs(koffi: typeof Koffi): { extendedLimit: Koffi.TypeObject } {
  const basic = koffi.struct('HL_JOBOBJECT_BASIC_LIMIT_INFORMATION', {
    PerProcessUserTimeLimit: 'int64_t',
    PerJobUserTimeLimit: 'int64_t',
    LimitFlags: 'uint32_t',
    MinimumWorkingSetSize: 'size_t',
    MaximumWorkingSetSize: 'size_t',
    ActiveProcessLimit: 'uint32_t',
    Affinity: 'uintptr_t',
    PriorityClass: 'uint32_t',
    SchedulingClass: 'uint32_t',
  });
  const io = koffi.struct('HL_IO_COUNTERS', {
    ReadOperationCount: 'uint64_t',
    WriteOperationCount: 'uint64_t',
    OtherOperationCount: 'uint64_t',
    ReadTransferCount: 'uint64_t',
    WriteTransferCount: 'uint64_t',
    OtherTransferCount: 'uint64_t',
  });
  const extendedLimit = koffi.struct('HL_JOBOBJECT_EXTENDED_LIMIT_INFORMATION', {
    BasicLimitInformation: basic,
    IoInfo: io,
    ProcessMemoryLimit: 'size_t',
    JobMemoryLimit: 'size_t',
    PeakProcessMemoryUsed: 'size_t',
    PeakJobMemoryUsed: 'size_t',
  });
  return { extendedLimit };
}

/** The extended-limit value for an attempt's job (all other limits zero: none). */
export function attemptJobLimits(): Record<string, unknown> {
  return {
    BasicLimitInformation: {
      PerProcessUserTimeLimit: 0,
      PerJobUserTimeLimit: 0,
      LimitFlags: attemptJobLimitFlags(),
      MinimumWorkingSetSize: 0,
      MaximumWorkingSetSize: 0,
      ActiveProcessLimit: 0,
      Affinity: 0,
      PriorityClass: 0,
      SchedulingClass: 0,
    },
    IoInfo: {
      ReadOperationCount: 0,
      WriteOperationCount: 0,
      OtherOperationCount: 0,
      ReadTransferCount: 0,
      WriteTransferCount: 0,
      OtherTransferCount: 0,
    },
    ProcessMemoryLimit: 0,
    JobMemoryLimit: 0,
    PeakProcessMemoryUsed: 0,
    PeakJobMemoryUsed: 0,
  };
}

export type Handle = unknown;

/** The bound kernel32 functions (win32 only). */
export interface Kernel32 {
  koffi: typeof Koffi;
  extendedLimit: Koffi.TypeObject;
  CreateJobObjectW(attrs: null, name: null): Handle;
  SetInformationJobObject(job: Handle, cls: number, info: unknown, size: number): boolean;
  QueryInformationJobObject(job: Handle, cls: number, info: Buffer, size: number, ret: null): boolean;
  AssignProcessToJobObject(job: Handle, process: Handle): boolean;
  TerminateJobObject(job: Handle, exitCode: number): boolean;
  OpenProcess(access: number, inherit: boolean, pid: number): Handle;
  GetProcessTimes(process: Handle, creation: Buffer, exit: Buffer, kernel: Buffer, user: Buffer): boolean;
  CloseHandle(handle: Handle): boolean;
  GetLastError(): number;
}

let bound: Kernel32 | Error | undefined;

/**
 * kernel32 through koffi, bound on first use. An Error (never a throw) when this is not Windows or
 * koffi cannot load: the callers fall back (taskkill, no start time) and say so.
 */
export function kernel32(platform: NodeJS.Platform = process.platform): Kernel32 | Error {
  if (platform !== 'win32') return new Error('kernel32 exists only on Windows');
  if (bound !== undefined) return bound;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as typeof Koffi;
    const lib = koffi.load('kernel32.dll');
    const { extendedLimit } = defineJobStructs(koffi);
    const f = (name: string, ret: string, args: unknown[]): ((...a: unknown[]) => unknown) =>
      lib.func('__stdcall', name, ret, args as never[]) as (...a: unknown[]) => unknown;
    const fns = {
      CreateJobObjectW: f('CreateJobObjectW', 'void *', ['void *', 'void *']),
      SetInformationJobObject: f('SetInformationJobObject', 'bool', [
        'void *',
        'int',
        koffi.pointer(extendedLimit),
        'uint32_t',
      ]),
      QueryInformationJobObject: f('QueryInformationJobObject', 'bool', [
        'void *',
        'int',
        'void *',
        'uint32_t',
        'void *',
      ]),
      AssignProcessToJobObject: f('AssignProcessToJobObject', 'bool', ['void *', 'void *']),
      TerminateJobObject: f('TerminateJobObject', 'bool', ['void *', 'uint32_t']),
      OpenProcess: f('OpenProcess', 'void *', ['uint32_t', 'bool', 'uint32_t']),
      GetProcessTimes: f('GetProcessTimes', 'bool', ['void *', 'void *', 'void *', 'void *', 'void *']),
      CloseHandle: f('CloseHandle', 'bool', ['void *']),
      GetLastError: f('GetLastError', 'uint32_t', []),
    };
    bound = { koffi, extendedLimit, ...(fns as unknown as Omit<Kernel32, 'koffi' | 'extendedLimit'>) };
  } catch (err) {
    bound = err instanceof Error ? err : new Error(String(err));
  }
  return bound;
}

/** Creation time of a process (GetProcessTimes) as an identity token; undefined when it cannot be read. */
export function windowsProcessStartTime(pid: number): string | undefined {
  const k = kernel32();
  if (k instanceof Error) return undefined;
  const handle = k.OpenProcess(PROCESS_ACCESS.QUERY_LIMITED_INFORMATION, false, pid);
  if (!handle) return undefined;
  try {
    const times = [0, 1, 2, 3].map(() => Buffer.alloc(8));
    const [creation, exit, kernel, user] = times as [Buffer, Buffer, Buffer, Buffer];
    if (!k.GetProcessTimes(handle, creation, exit, kernel, user)) return undefined;
    return filetimeToken(creation.readBigUInt64LE(0));
  } finally {
    k.CloseHandle(handle);
  }
}
