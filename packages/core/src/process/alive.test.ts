import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { isAlive, processStartTime } from './alive.js';
import { parseProcStat, readProcStatSync } from './proc-stat.js';
import { waitFor } from './test-kit.js';
import { linuxOnly } from '../platform-kit.js';

const procStat = linuxOnly(
  'reads the state and start time fields of /proc/<pid>/stat (a zombie made with sh)',
);

describe('isAlive', () => {
  it('is true for this process and false for a pid that ended', async () => {
    expect(isAlive(process.pid)).toBe(true);
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    const pid = child.pid ?? 0;
    await new Promise((resolve) => child.once('exit', resolve));
    await waitFor('the child to be reaped', () => !isAlive(pid), 2000);
    expect(isAlive(0)).toBe(false);
    expect(isAlive(-1)).toBe(false);
  });

  // Zombies are told apart by /proc's state field, which only Linux has.
  procStat.it('is false for a zombie, although kill(pid, 0) still succeeds', async () => {
    // sh backgrounds a short sleep and then becomes a long sleep that never reaps it: a zombie.
    const holder = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 10'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const zombie = await new Promise<number>((resolve) =>
        holder.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))),
      );
      await waitFor('the zombie state', () => readProcStatSync(zombie)?.state === 'Z', 3000);
      expect(() => process.kill(zombie, 0)).not.toThrow();
      expect(isAlive(zombie)).toBe(false);
    } finally {
      holder.kill('SIGKILL');
    }
  });
});

describe('processStartTime', () => {
  // The /proc start time; Windows and macOS identity is tested in identity.test.ts.
  procStat.it('is stable for a live process and undefined once it is gone', async () => {
    const a = processStartTime(process.pid);
    expect(a).toMatch(/^\d+$/);
    expect(processStartTime(process.pid)).toBe(a);
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    const pid = child.pid ?? 0;
    await new Promise((resolve) => child.once('exit', resolve));
    await waitFor('the child to be gone', () => processStartTime(pid) === undefined, 2000);
  });
});

describe('parseProcStat', () => {
  it('counts fields from the last parenthesis, so odd command names do not shift them', () => {
    const tail = 'S 10 20 20 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 200';
    expect(parseProcStat(`42 (a b) c)) ${tail}`)).toEqual({
      pid: 42,
      state: 'S',
      ppid: 10,
      pgrp: 20,
      startTime: '987654',
    });
    expect(parseProcStat('garbage')).toBeUndefined();
    expect(parseProcStat('1 (x) S 0')).toBeUndefined();
  });
});
