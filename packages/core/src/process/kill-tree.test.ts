import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { isAlive } from './alive.js';
import {
  descendantsFromLinks,
  killTree,
  listDescendants,
  parsePsTable,
  taskkillArgs,
  taskkillPath,
} from './kill-tree.js';
import { waitFor } from './test-kit.js';
import { posixOnly } from '../platform-kit.js';

const killTreePosix = posixOnly(
  'signals process groups and reads ps; Windows ends a tree through its Job Object (the Wine suite)',
);

/** Spawns a tree: node child -> node grandchild; both ignore SIGTERM and report their pids. */
async function stubbornTree(opts: { detached: boolean }): Promise<{ root: number; pids: number[] }> {
  const gc = "process.on('SIGTERM',()=>{});console.log(process.pid);setInterval(()=>{},1000)";
  const script = `process.on('SIGTERM',()=>{});const c=require('child_process').spawn(process.execPath,['-e',${JSON.stringify(gc)}],{stdio:['ignore','inherit','ignore']});console.log(process.pid);setInterval(()=>{},1000)`;
  const child = spawn(process.execPath, ['-e', script], {
    stdio: ['ignore', 'pipe', 'ignore'],
    detached: opts.detached,
  });
  child.unref();
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += String(d)));
  const pids = await waitFor(
    'two pids',
    () => {
      const p = out.trim().split('\n').filter(Boolean).map(Number);
      return p.length === 2 ? p : undefined;
    },
    10000,
  );
  return { root: child.pid ?? 0, pids };
}

describe('descendantsFromLinks', () => {
  it('walks children, grandchildren and deeper, and ignores cycles', () => {
    const links: Array<[number, number]> = [
      [2, 1],
      [3, 2],
      [4, 3],
      [5, 1],
      [6, 99],
      [7, 7],
    ];
    expect(descendantsFromLinks(2, links).sort()).toEqual([3, 4]);
    expect(descendantsFromLinks(1, links).sort()).toEqual([2, 3, 4, 5]);
    expect(descendantsFromLinks(7, links)).toEqual([]);
  });

  it('parses ps output', () => {
    expect(parsePsTable('  1     0     1 Ss\n 42    1    42 Z+\nbad line\n')).toEqual([
      { pid: 1, ppid: 0, pgrp: 1, ended: false },
      { pid: 42, ppid: 1, pgrp: 42, ended: true },
    ]);
  });
});

describe('Windows tree kill command', () => {
  it('runs System32 taskkill by full path with /T /F', () => {
    expect(taskkillArgs(1234)).toEqual(['/PID', '1234', '/T', '/F']);
    expect(taskkillPath({ SystemRoot: 'C:\\Windows' })).toBe('C:\\Windows\\System32\\taskkill.exe');
    expect(taskkillPath({ SystemRoot: 'relative' })).toBe('taskkill.exe');
  });
});

// Process groups and signals are POSIX; on Windows the Job Object ends the tree (job-object.test.ts, npm run test:windows).
killTreePosix.describe('killTree (POSIX)', () => {
  it('finds a live tree', async () => {
    const { root, pids } = await stubbornTree({ detached: true });
    try {
      expect(await listDescendants(root)).toContain(pids[1]);
    } finally {
      await killTree(root, { graceMs: 0, pgid: root });
    }
  });

  it('ends a SIGTERM-ignoring tree through its process group within grace + a little', async () => {
    const { root, pids } = await stubbornTree({ detached: true });
    const started = Date.now();
    const { survivors } = await killTree(root, { graceMs: 200, pgid: root });
    const took = Date.now() - started;
    expect(survivors).toEqual([]);
    expect(pids.every((p) => !isAlive(p))).toBe(true);
    expect(took).toBeGreaterThanOrEqual(200);
    expect(took).toBeLessThan(1500);
  });

  it('ends a tree without a group of its own through the pids captured before the first signal', async () => {
    const { root, pids } = await stubbornTree({ detached: false });
    const { survivors } = await killTree(root, { graceMs: 100 });
    expect(survivors).toEqual([]);
    expect(pids.every((p) => !isAlive(p))).toBe(true);
  });

  it('returns at once when every process obeys SIGTERM', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], {
      stdio: 'ignore',
      detached: true,
    });
    child.unref();
    const pid = child.pid ?? 0;
    await waitFor('the child to run', () => isAlive(pid));
    const started = Date.now();
    expect(await killTree(pid, { graceMs: 5000, pgid: pid })).toEqual({
      survivors: [],
      method: { method: 'process-group' },
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('leaves a known pid alone when its start time shows it is another process now', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' });
    const pid = child.pid ?? 0;
    try {
      await waitFor('the child to run', () => isAlive(pid));
      const other = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' });
      const target = other.pid ?? 0;
      await killTree(target, { graceMs: 100, known: new Map([[pid, 'not-its-start-time']]) });
      await waitFor('the target to end', () => !isAlive(target), 2000);
      expect(isAlive(pid)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
