import { afterEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import path from 'node:path';
import { makeTempRoot } from '@headless/test-support/temp-root';
import { SupervisorAlreadyRunning, acquireLock, readLock, type ProcessProbe } from './lock.js';

describe('supervisor lock (the one pid-lock module)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });
  async function lockPath(): Promise<string> {
    const { root, cleanup } = await makeTempRoot('hl-lock-');
    cleanups.push(cleanup);
    await fs.mkdir(path.join(root, '.tasks', 'run'), { recursive: true });
    return path.join(root, '.tasks', 'run', 'supervisor.lock');
  }
  const content = (pid: number, startTime?: string) =>
    JSON.stringify({ pid, token: 'abcdef0123456789', at: 'then', ...(startTime ? { startTime } : {}) });

  it('refuses a second holder while the first lives, with a message naming pid, start time and the fix', async () => {
    const file = await lockPath();
    const held = await acquireLock(file, '/the/root', () => Date.parse('2026-01-02T03:04:05.000Z'));
    const err = await acquireLock(file, '/the/root').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SupervisorAlreadyRunning);
    expect((err as Error).message).toBe(
      `a supervisor (pid ${process.pid}, started 2026-01-02T03:04:05.000Z) already runs on /the/root; stop it with "headless stop"`,
    );
    await held.release();
    await expect(fs.access(file)).rejects.toThrow();
  });

  it('takes over a lock whose holder is dead', async () => {
    const file = await lockPath();
    await fs.writeFile(file, content(999_999_999));
    const held = await acquireLock(file, '/r');
    expect(held.takenOver).toMatch(/pid 999999999\) is gone/);
    expect((await readLock(file))?.pid).toBe(process.pid);
  });

  it('takes over a lock whose pid now belongs to another process (pid reuse), not one whose start time matches', async () => {
    const file = await lockPath();
    await fs.writeFile(file, content(4242, '100'));
    const reused: ProcessProbe = { isAlive: () => true, startTime: (pid) => (pid === 4242 ? '555' : '1') };
    const held = await acquireLock(file, '/r', Date.now, reused);
    expect(held.takenOver).toMatch(/4242/);
    const sameStart: ProcessProbe = { isAlive: () => true, startTime: () => '1' };
    await expect(acquireLock(file, '/r', Date.now, sameStart)).rejects.toBeInstanceOf(
      SupervisorAlreadyRunning,
    );
  });

  it('does not take an empty lock that a slow writer has just created; takes it once it is older than the grace', async () => {
    const file = await lockPath();
    await fs.writeFile(file, '');
    let clock = Date.now();
    const taking = acquireLock(file, '/r', () => clock);
    let settled = false;
    void taking.then(
      () => (settled = true),
      () => (settled = true),
    );
    // The writer finishes within the grace: the lock is its, and the second taker is refused.
    await fs.writeFile(file, content(process.pid));
    await expect(taking).rejects.toBeInstanceOf(SupervisorAlreadyRunning);
    expect(settled).toBe(true);

    await fs.writeFile(file, '');
    clock = Date.now() + 11_000; // past the 10 s grace: the writer died between create and write
    const held = await acquireLock(file, '/r', () => clock);
    expect(held.takenOver).toMatch(/unreadable lock older than 10 s/);
    await held.release();
  });
});
