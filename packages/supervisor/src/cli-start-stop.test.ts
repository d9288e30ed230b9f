import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlive } from '@headless/core/process/alive';
import { makeTempRoot } from '@headless/test-support/temp-root';
import { waitFor } from '@headless/test-support/wait-for';
import { FAKE_ORCHESTRATOR, FAKE_WORKER, fakeChildren, readLog } from './testing/harness.js';
import type { SupervisorState } from './state-file.js';

// The real CLI, built by `npm run build` (tsc -b of the whole tree).
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'cli', 'dist', 'bin.js');
const ENV = {
  ...process.env,
  HEADLESS_WORKER_ENTRY: FAKE_WORKER,
  HEADLESS_ORCHESTRATOR_ENTRY: FAKE_ORCHESTRATOR,
};

describe('headless start / stop (real CLI)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('refuses a second start on the same root, and stop ends the first with exit 0', async () => {
    expect(fs.existsSync(BIN)).toBe(true);
    const { root, cleanup } = await makeTempRoot('hl-cli-');
    const first = spawn(process.execPath, [BIN, 'start', '--root', root], {
      env: { ...ENV, FAKE_STATE_DIR: root },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => first.once('exit', (code) => resolve(code)));
    cleanups.push(async () => {
      if (first.pid && isAlive(first.pid)) first.kill('SIGKILL');
      for (const c of fakeChildren(root)) if (isAlive(c.pid)) process.kill(c.pid, 'SIGKILL');
      await cleanup();
    });
    fs.writeFileSync(path.join(root, 'STOP.HEADLESS'), 'left over');
    const stateFile = path.join(root, '.tasks', 'run', 'supervisor.json');
    await waitFor('both children running', () => {
      if (!fs.existsSync(stateFile)) return false;
      const s = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as SupervisorState;
      return s.children.worker.state === 'running' && s.children.orchestrator.state === 'running';
    });
    expect(
      readLog(root, 'supervisor').some(
        (r) => r.message === 'removed STOP.HEADLESS left from an earlier stop',
      ),
    ).toBe(true);

    const second = spawnSync(process.execPath, [BIN, 'start', '--root', root], {
      env: ENV,
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(
        `^headless: a supervisor \\(pid ${first.pid}, started [0-9T:.Z-]+\\) already runs on ${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; stop it with "headless stop"\\n$`,
      ),
    );

    const stop = spawnSync(process.execPath, [BIN, 'stop', '--root', root], {
      env: ENV,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(stop.status).toBe(0);
    expect(stop.stdout).toContain(`stopped the supervisor (pid ${first.pid}) on ${root}`);
    expect(stop.stdout).toMatch(/worker: pid \d+, was running/);
    expect(await exited).toBe(0);

    const again = spawnSync(process.execPath, [BIN, 'stop', '--root', root], { env: ENV, encoding: 'utf8' });
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(`no supervisor runs on ${root}.\n`);
    expect(fs.existsSync(path.join(root, 'STOP.HEADLESS'))).toBe(false);
  });
});
