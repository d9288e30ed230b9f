import { afterEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import path from 'node:path';
import { makeTempRoot } from '@headless/test-support/temp-root';
import { SupervisorAlreadyRunning, acquireLock, lockFile, readLock, type ProcessProbe } from './lock.js';

describe('supervisor lock', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });
  async function runDir(): Promise<string> {
    const { root, cleanup } = await makeTempRoot('hl-lock-');
    cleanups.push(cleanup);
    return path.join(root, '.tasks', 'run');
  }

  it('refuses a second holder while the first lives, with a message naming pid, start time and the fix', async () => {
    const dir = await runDir();
    const held = await acquireLock(dir, '/the/root', new Date('2026-01-02T03:04:05.000Z'));
    const err = await acquireLock(dir, '/the/root').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SupervisorAlreadyRunning);
    expect((err as Error).message).toBe(
      `a supervisor (pid ${process.pid}, started 2026-01-02T03:04:05.000Z) already runs on /the/root; stop it with "headless stop"`,
    );
    await held.release();
    await expect(fs.access(lockFile(dir))).rejects.toThrow();
  });

  it('takes over a lock whose holder is dead', async () => {
    const dir = await runDir();
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(lockFile(dir), JSON.stringify({ pid: 999_999_999, startedAt: 'then' }));
    const held = await acquireLock(dir, '/r');
    expect(held.takenOver).toEqual({ pid: 999_999_999, startedAt: 'then' });
    expect((await readLock(lockFile(dir)))?.pid).toBe(process.pid);
  });

  it('takes over a lock whose pid now belongs to another process (pid reuse)', async () => {
    const dir = await runDir();
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(lockFile(dir), JSON.stringify({ pid: 4242, startedAt: 'then', procStart: '100' }));
    const probe: ProcessProbe = { isAlive: () => true, startTicks: (pid) => (pid === 4242 ? '555' : '1') };
    const held = await acquireLock(dir, '/r', new Date(), probe);
    expect(held.takenOver?.pid).toBe(4242);
    const sameStart: ProcessProbe = { isAlive: () => true, startTicks: () => '1' };
    await expect(acquireLock(dir, '/r', new Date(), sameStart)).rejects.toBeInstanceOf(
      SupervisorAlreadyRunning,
    );
  });
});
