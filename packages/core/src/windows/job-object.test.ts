import { describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import type * as Koffi from 'koffi';
import { containmentFor, createAttemptJob } from './job-object.js';
import {
  JOB_LIMIT,
  assignAccess,
  attemptJobLimitFlags,
  attemptJobLimits,
  defineJobStructs,
  filetimeToken,
  kernel32,
  parseJobPidList,
} from './kernel32.js';

describe('attempt job limits', () => {
  it('kill the tree when the last handle closes and allow no breakaway of any kind', () => {
    const flags = attemptJobLimitFlags();
    expect(flags & JOB_LIMIT.KILL_ON_JOB_CLOSE).toBe(JOB_LIMIT.KILL_ON_JOB_CLOSE);
    expect(flags & JOB_LIMIT.BREAKAWAY_OK).toBe(0);
    expect(flags & JOB_LIMIT.SILENT_BREAKAWAY_OK).toBe(0);
    expect(attemptJobLimits()).toMatchObject({ BasicLimitInformation: { LimitFlags: flags } });
  });

  it('asks for exactly the process rights AssignProcessToJobObject needs (SET_QUOTA | TERMINATE) and reading its times', () => {
    expect(assignAccess()).toBe(0x0100 | 0x0001 | 0x1000);
  });

  it('lays out JOBOBJECT_EXTENDED_LIMIT_INFORMATION as winnt.h does (144 bytes on 64-bit, LimitFlags at 16)', () => {
    // koffi loads on Linux too: the struct it will hand to SetInformationJobObject is checked for real.
    const koffi = createRequire(import.meta.url)('koffi') as typeof Koffi;
    const { extendedLimit } = defineJobStructs(koffi);
    if (koffi.sizeof('void *') !== 8) return;
    expect(koffi.sizeof(extendedLimit)).toBe(144);
    const basic = koffi.introspect(extendedLimit).members?.BasicLimitInformation;
    expect(basic?.offset).toBe(0);
    expect(koffi.introspect(basic?.type as Koffi.TypeObject).members?.LimitFlags?.offset).toBe(16);
  });
});

describe('job pid list', () => {
  it('reads JOBOBJECT_BASIC_PROCESS_ID_LIST with 8-byte and 4-byte ids', () => {
    const b64 = Buffer.alloc(8 + 8 * 3);
    b64.writeUInt32LE(2, 0);
    b64.writeUInt32LE(2, 4);
    b64.writeBigUInt64LE(4242n, 8);
    b64.writeBigUInt64LE(77n, 16);
    expect(parseJobPidList(b64, 8)).toEqual({ assigned: 2, pids: [4242, 77] });
    const b32 = Buffer.alloc(16);
    b32.writeUInt32LE(1, 0);
    b32.writeUInt32LE(1, 4);
    b32.writeUInt32LE(99, 8);
    expect(parseJobPidList(b32, 4)).toEqual({ assigned: 1, pids: [99] });
  });

  it('never reads past the buffer, whatever the count says', () => {
    const b = Buffer.alloc(16);
    b.writeUInt32LE(50, 0);
    b.writeUInt32LE(50, 4);
    expect(parseJobPidList(b, 8).pids).toHaveLength(1);
    expect(parseJobPidList(Buffer.alloc(3)).pids).toEqual([]);
  });
});

describe('Windows process identity token', () => {
  it('is the FILETIME creation time as a decimal string; zero means unknown', () => {
    expect(filetimeToken(133_800_000_000_000_000n)).toBe('133800000000000000');
    expect(filetimeToken(0n)).toBeUndefined();
  });
});

describe('containment', () => {
  it('reports the process group on POSIX, the job on Windows, and a taskkill fallback with its reason', () => {
    expect(containmentFor('linux', undefined)).toEqual({ method: 'process-group' });
    expect(containmentFor('win32', { ok: true })).toEqual({ method: 'job-object' });
    const fallback = containmentFor('win32', {
      ok: false,
      error: 'AssignProcessToJobObject failed (error 5)',
    });
    expect(fallback).toMatchObject({ method: 'taskkill' });
    expect((fallback as { reason: string }).reason).toMatch(/error 5.*taskkill \/T \/F/);
  });

  it('never loads koffi off Windows', () => {
    expect(kernel32('linux')).toBeInstanceOf(Error);
    expect(createAttemptJob('linux')).toBeInstanceOf(Error);
  });
});
