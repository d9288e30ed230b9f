import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { isAlive } from './alive.js';
import {
  endEscapedProcesses,
  escapedOfAttempt,
  inPidWindow,
  pidsInWindow,
  isOlder,
  lastPidSync,
  listMarkedProcesses,
  pidWindowFor,
  WINDOW_MAX_MS,
} from './escaped.js';
import { processStartTime } from './identity.js';
import { TASK_MARK_ENV, taskMark } from './task-marker.js';
import { waitFor } from './test-kit.js';
import { linuxOnly } from '../platform-kit.js';

const setsidEscapes = linuxOnly('starts escapees with sh and setsid and finds them through /proc');

const ROOT = '/srv/headless-escaped-test';

describe('escapedOfAttempt', () => {
  it('picks the processes of one attempt of one root, whatever owner started them, never itself', () => {
    const marked = [
      { pid: 10, mark: taskMark(ROOT, 111, 'a#1') },
      { pid: 11, mark: taskMark(ROOT, 222, 'a#1') },
      { pid: 12, mark: taskMark(ROOT, 111, 'a#2') },
      { pid: 13, mark: taskMark('/other/root', 111, 'a#1') },
      { pid: 14, mark: 'garbage' },
      { pid: 99, mark: taskMark(ROOT, 111, 'a#1') },
    ];
    expect(escapedOfAttempt(marked, ROOT, 'a#1', 99).map((p) => p.pid)).toEqual([10, 11]);
  });
});

describe('isOlder', () => {
  it('compares clock ticks as integers and never skips what it cannot read', () => {
    expect(isOlder('99', 100n)).toBe(true);
    expect(isOlder('100', 100n)).toBe(false);
    expect(isOlder('123456789012345678', 100n)).toBe(false);
    expect(isOlder('', 100n)).toBe(false);
  });
});

describe('the pid window of a short attempt', () => {
  it('covers the pids handed out since the tool, also across the wrap at pid_max', () => {
    const w = { from: 500, to: 520 };
    expect([499, 500, 510, 520, 521].map((p) => inPidWindow(p, w))).toEqual([false, true, true, true, false]);
    const wrapped = { from: 32760, to: 5 };
    expect([32759, 32760, 32767, 1, 5, 6].map((p) => inPidWindow(p, wrapped))).toEqual([
      false,
      true,
      true,
      true,
      true,
      false,
    ]);
  });

  it('is only given to a short attempt with a known last pid', () => {
    expect(pidsInWindow({ from: 500, to: 503 })).toEqual([500, 501, 502, 503]);
    expect(pidsInWindow({ from: 500, to: 500 })).toEqual([500]);
    // Wrapped at pid_max, or too wide: listed from /proc instead.
    expect(pidsInWindow({ from: 32760, to: 5 })).toBeUndefined();
    expect(pidsInWindow({ from: 1, to: 1000 }, 256)).toBeUndefined();
    expect(pidWindowFor(500, 520, 10)).toEqual({ from: 500, to: 520 });
    expect(pidWindowFor(500, 520, WINDOW_MAX_MS + 1)).toBeUndefined();
    expect(pidWindowFor(500, 520, -5)).toBeUndefined();
    expect(pidWindowFor(500, 520, NaN)).toBeUndefined();
    expect(pidWindowFor(500, undefined, 10)).toBeUndefined();
    expect(pidWindowFor(0, 520, 10)).toBeUndefined();
  });
});

setsidEscapes.describe('endEscapedProcesses (real processes)', () => {
  const spawned: number[] = [];
  afterEach(async () => {
    for (const p of await listMarkedProcesses()) {
      if (p.mark.includes('escape-test')) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    spawned.length = 0;
  });

  it('ends what left the process group (setsid sleep &, a double fork) and counts it', async () => {
    const mark = taskMark(ROOT, process.pid, 'escape-test#1');
    // The "tool": starts two escapees that outlive it, then exits at once (as `setsid sleep 300 &` does).
    const tool = spawn('sh', ['-c', 'setsid sleep 300 & ( setsid sh -c "sleep 301 &" & ) ; exit 0'], {
      env: { ...process.env, [TASK_MARK_ENV]: mark },
      stdio: 'ignore',
      detached: true,
    });
    await new Promise((r) => tool.once('exit', r));
    const mine = await waitFor('both escapees to be running', async () => {
      const found = (await listMarkedProcesses()).filter((p) => p.mark === mark);
      const sleeps = found.filter((p) => isAlive(p.pid));
      return sleeps.length >= 2 ? sleeps : undefined;
    });
    for (const p of mine) spawned.push(p.pid);
    const other = taskMark(ROOT, process.pid, 'escape-test#2');
    const bystander = spawn('sleep', ['30'], {
      env: { ...process.env, [TASK_MARK_ENV]: other },
      stdio: 'ignore',
    });

    const ended = await endEscapedProcesses(ROOT, 'escape-test#1', { graceMs: 2000 });
    expect(ended.count).toBe(mine.length);
    await waitFor('the escapees to be gone', () => mine.every((p) => !isAlive(p.pid)), 5000);
    expect((await listMarkedProcesses()).filter((p) => p.mark === mark)).toEqual([]);
    expect(isAlive(bystander.pid as number)).toBe(true);
    bystander.kill('SIGKILL');
  });

  it('looks only at processes started since the tool when given its start time', async () => {
    const mark = taskMark(ROOT, process.pid, 'escape-test#3');
    const marked = spawn('sleep', ['30'], {
      env: { ...process.env, [TASK_MARK_ENV]: mark },
      stdio: 'ignore',
    });
    const pid = marked.pid as number;
    const start = await waitFor('the marked process to be listed', async () => {
      const found = (await listMarkedProcesses()).find((p) => p.pid === pid && p.mark === mark);
      return found ? (processStartTime(pid) ?? 'unknown') : undefined;
    });
    expect(start).toMatch(/^\d+$/);
    const listed = async (since: string) =>
      (await listMarkedProcesses('linux', since)).some((p) => p.pid === pid);
    expect(await listed(start)).toBe(true);
    expect(await listed(String(BigInt(start) + 1n))).toBe(false);
    marked.kill('SIGKILL');
  });

  it('finds an escapee of a short attempt inside its pid window, and only there', async () => {
    const mark = taskMark(ROOT, process.pid, 'escape-test#4');
    const tool = spawn('sh', ['-c', 'setsid sleep 302 & exit 0'], {
      env: { ...process.env, [TASK_MARK_ENV]: mark },
      stdio: 'ignore',
      detached: true,
    });
    const toolPid = tool.pid as number;
    await new Promise((r) => tool.once('exit', r));
    const escapee = await waitFor('the escapee to be listed', async () =>
      (await listMarkedProcesses()).find((p) => p.mark === mark),
    );
    const last = lastPidSync() as number;
    expect(inPidWindow(escapee.pid, { from: toolPid, to: last })).toBe(true);
    const inWindow = await listMarkedProcesses('linux', undefined, { from: toolPid, to: last });
    expect(inWindow.map((p) => p.pid)).toContain(escapee.pid);
    const before = await listMarkedProcesses('linux', undefined, { from: toolPid - 10, to: toolPid - 1 });
    expect(before.map((p) => p.pid)).not.toContain(escapee.pid);
    const ended = await endEscapedProcesses(ROOT, 'escape-test#4', {
      graceMs: 2000,
      tool: { pid: toolPid, attemptMs: 1 },
    });
    expect(ended.pids).toEqual([escapee.pid]);
  });

  it('finds nothing, quickly, for an attempt that left nothing', async () => {
    expect(await endEscapedProcesses(ROOT, 'nothing-here#1', { graceMs: 2000 })).toEqual({
      count: 0,
      pids: [],
    });
  });
});
