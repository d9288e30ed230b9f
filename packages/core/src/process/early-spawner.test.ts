import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { earlySpawnerWanted, startEarlySpawner } from './early-spawner.js';
import { isAlive } from './identity.js';
import { parentProbe, tempDir, waitFor } from './test-kit.js';
import { createWorkerRunner } from './worker-runner.js';
import { posixOnly } from '../platform-kit.js';

const posix = posixOnly('the spawner runs on POSIX only (Windows keeps the in-process runner)');

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

it('is wanted on macOS and where posix_spawn is off, not on Linux with posix_spawn nor on Windows', () => {
  expect(earlySpawnerWanted('darwin', {})).toBe(true);
  expect(earlySpawnerWanted('linux', { HEADLESS_POSIX_SPAWN: '0' })).toBe(true);
  expect(earlySpawnerWanted('linux', {})).toBe(false);
  expect(earlySpawnerWanted('win32', {})).toBe(false);
});

it('Windows: no early spawner (the worker keeps the in-process runner there)', () => {
  expect(startEarlySpawner('win32')).toBeUndefined();
});

posix.describe('the spawner started at the top of the worker entry', () => {
  it('is ready by the time the worker takes it: the first run goes to it, and its start line is kept until then', async () => {
    const early = startEarlySpawner();
    if (!early) throw new Error('expected an early spawner on POSIX');
    // The worker's boot: its imports, config and recovery run while the spawner starts.
    await waitFor('the early spawner to be ready', () => early.runner.isReady());
    const said: string[] = [];
    const { runner, kind } = createWorkerRunner('auto', (m) => said.push(m), early);
    try {
      expect(kind).toBe('spawner');
      // What it said before the worker had a logger reaches the logger now.
      expect(said).toEqual([`spawner ${String(early.runner.spawnerPid())} started`]);
      const first = await runner.run(parentProbe(dir));
      expect(first).toMatchObject({
        endReason: 'exited',
        exitCode: 0,
        stdout: String(early.runner.spawnerPid()),
      });
      expect('counts' in runner ? runner.counts() : undefined).toEqual({ inProcess: 0, spawner: 1 });
    } finally {
      await runner.close?.();
    }
  });

  it('policies.worker.spawner "off": the early spawner is let go and the worker runs its tools itself', async () => {
    const early = startEarlySpawner();
    if (!early) throw new Error('expected an early spawner on POSIX');
    await waitFor('the early spawner to be ready', () => early.runner.isReady());
    const pid = early.runner.spawnerPid();
    if (pid === undefined) throw new Error('the early spawner has no pid');
    const { runner, kind } = createWorkerRunner('off', () => undefined, early);
    expect(kind).toBe('in-process');
    await waitFor('the early spawner to exit', () => !isAlive(pid));
    const r = await runner.run(parentProbe(dir));
    expect(r).toMatchObject({ endReason: 'exited', exitCode: 0, stdout: String(process.pid) });
  });
});
