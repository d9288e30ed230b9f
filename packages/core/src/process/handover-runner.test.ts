import { afterAll, beforeAll, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createHandOverRunner } from './handover-runner.js';
import { createProcessRunner } from './run.js';
import { createSpawnerRunner } from './spawner-runner.js';
import { parentProbe, tempDir, waitFor } from './test-kit.js';
import { SPAWNER_EXEC_ARGV, spawnerEntry } from './worker-runner.js';
import { posixOnly } from '../platform-kit.js';

const posix = posixOnly('the spawner runs on POSIX only (Windows keeps the in-process runner)');

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

posix.describe('hand-over runner: in-process until the spawner is ready', () => {
  it('runs started before ready run in-process; once it is ready, runs go to the spawner', async () => {
    const spawner = createSpawnerRunner({ entry: spawnerEntry(), execArgv: SPAWNER_EXEC_ARGV });
    const runner = createHandOverRunner(spawner, createProcessRunner());
    try {
      // Nothing warmed yet: the first runs cannot wait for a Node start.
      const early = await Promise.all([runner.run(parentProbe(dir)), runner.run(parentProbe(dir))]);
      for (const r of early)
        expect(r).toMatchObject({ endReason: 'exited', exitCode: 0, stdout: String(process.pid) });
      expect(runner.counts()).toEqual({ inProcess: 2, spawner: 0 });
      // The first in-process run warmed a spawner.
      await waitFor('the warmed spawner to be ready', () => spawner.isReady());
      const late = await runner.run(parentProbe(dir));
      expect(late).toMatchObject({ endReason: 'exited', exitCode: 0, stdout: String(runner.spawnerPid()) });
      expect(runner.counts()).toEqual({ inProcess: 2, spawner: 1 });
    } finally {
      await runner.close();
    }
  });

  it('a spawner that never says ready, or dies at its start: every run still finishes, in-process', async () => {
    const silent = path.join(dir, 'silent-spawner.mjs');
    await fs.writeFile(
      silent,
      "process.on('disconnect', () => process.exit(0)); setInterval(() => {}, 1000);\n",
    );
    const broken = path.join(dir, 'broken-spawner.mjs');
    await fs.writeFile(broken, 'process.exit(3);\n');
    for (const entry of [silent, broken]) {
      const spawner = createSpawnerRunner({ entry, idleExitMs: 200 });
      const runner = createHandOverRunner(spawner, createProcessRunner());
      try {
        for (let i = 0; i < 3; i++) {
          const r = await runner.run(parentProbe(dir));
          expect(r).toMatchObject({ endReason: 'exited', exitCode: 0, stdout: String(process.pid) });
        }
        expect(runner.counts()).toEqual({ inProcess: 3, spawner: 0 });
        expect(spawner.isReady()).toBe(false);
      } finally {
        await runner.close();
      }
    }
  });
});
