import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { isSameProcess, parseLstart, processStartTime } from './identity.js';
import { mayTarget } from './signal.js';
import { waitFor } from './test-kit.js';
import { isAlive } from './alive.js';
import { onlyOn } from '../platform-kit.js';

describe('process identity', () => {
  // Linux reads /proc, Windows GetProcessTimes, macOS ps: each gives a token for a live process.
  const known = onlyOn(
    ['linux', 'win32', 'darwin'],
    'start times come from /proc, GetProcessTimes or ps only',
  );
  known.it('gives a live process a stable start time and an ended one none', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    const pid = child.pid as number;
    const start = processStartTime(pid);
    expect(start).toBeDefined();
    expect(processStartTime(pid)).toBe(start);
    expect(processStartTime(process.pid)).not.toBe(start);
    expect(isSameProcess(pid, start)).toBe(true);
    expect(isSameProcess(pid, `${start}1`)).toBe(false);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    // Reaped, not just ended: a zombie still has its /proc entry.
    await exited;
    await waitFor('the child to end', () => !isAlive(pid));
    expect(processStartTime(pid)).toBeUndefined();
    expect(isSameProcess(pid, start)).toBe(false);
  });

  it('parses ps -o lstart= (macOS), padding and all', () => {
    expect(parseLstart('Tue Dec  1 20:05:30 2026\n')).toBe('Tue Dec 1 20:05:30 2026');
    expect(parseLstart('')).toBeUndefined();
    expect(parseLstart('mar.  1 déc. 20:05:30 2026')).toBeUndefined();
  });
});

describe('the signal rule', () => {
  const own = { pid: 500, pgrp: 400 };
  it('never targets pid 0/1, this process or its own group', () => {
    expect(mayTarget(1, 'process', own)).toBe(false);
    expect(mayTarget(0, 'group', own)).toBe(false);
    expect(mayTarget(500, 'process', own)).toBe(false);
    expect(mayTarget(400, 'group', own)).toBe(false);
    expect(mayTarget(400, 'process', own)).toBe(true);
    expect(mayTarget(401, 'group', own)).toBe(true);
  });
});
