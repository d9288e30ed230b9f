import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from '@jest/globals';
import { isAlive } from '@headless/core/process/alive';
import { waitFor } from '@headless/test-support/wait-for';
import { linuxOnly } from '@headless/test-support/platform';
import type { WorkerLogger } from './logger.js';
import {
  dropTasks,
  ledgerOf,
  makeWorkerRoot,
  runUntilIdle,
  stateOf,
  type WorkerRoot,
} from './testing/harness.js';

const linux = linuxOnly('finds the spawner by its parent pid and command line in /proc');

/** This process's spawner children (the tsc build's entry), from /proc. */
function spawnerChildren(): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = fs.readFileSync(`/proc/${name}/cmdline`, 'latin1');
      if (ppid === process.pid && cmd.includes('spawner-child.js')) out.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

function lines(): { logger: WorkerLogger; infos: string[] } {
  const infos: string[] = [];
  const keep = (m: string) => infos.push(m);
  return { infos, logger: { info: keep, warn: keep, error: keep, debug: () => 0 } };
}

linux.describe('the worker and its spawner', () => {
  let w: WorkerRoot;
  beforeEach(async () => {
    w = await makeWorkerRoot({ policies: { retry: { maxAttempts: 2 } } });
  });
  afterEach(() => w.cleanup());

  it('says it starts tools through the spawner; a spawner killed mid-run: the tree ends, the attempt is retried', async () => {
    const { logger, infos } = lines();
    // No untilIdle: the task is dropped only once a spawner is ready (until then a run is started
    // in-process, and the first such run, once its tool has started, forks the spawner:
    // handover-runner.ts). A quick task first warms it.
    const stop = new AbortController();
    const run = runUntilIdle(w, { logger, untilIdle: false, signal: stop.signal });
    await dropTasks(w.root, 'warm.jsonl', [{ id: 'warm', tool: 'node', args: ['-e', '0'] }]);
    await waitFor('the warmed spawner to be ready', () => infos.some((m) => /^spawner \d+ started$/.test(m)));
    await dropTasks(w.root, 't.jsonl', [
      { id: 'hit', tool: 'claude', prompt: 'SCENARIO: grandchild\nx', timeout_sec: 2 },
    ]);
    const gc = await waitFor('the tool to print its grandchild', () => {
      try {
        const log = fs.readFileSync(path.join(w.root, 'logs', 'task_hit.log'), 'utf8');
        return Number(/GRANDCHILD_PID=(\d+)/.exec(log)?.[1] ?? 0) || undefined;
      } catch {
        return undefined;
      }
    });
    const first = await waitFor('the spawner', () => spawnerChildren()[0]);
    process.kill(first, 'SIGKILL');
    await waitFor('the retried task to be done', async () => (await stateOf(w, 'hit')) === 'done', 30000);
    stop.abort();
    await run;

    expect(
      infos.some((m) =>
        /started on .* \(tools started by: spawner \(in-process until it is ready\)\)$/.test(m),
      ),
    ).toBe(true);
    const ends = (await ledgerOf(w, 'hit')).filter((r) => r.event === 'attempt.end');
    expect(ends[0]).toMatchObject({ outcome: 'interrupted' });
    expect(String(ends[0]?.reason)).toMatch(
      /^claude was cut short: the spawner process \(pid \d+, which starts tools for the worker\) was killed \(SIGKILL\)/,
    );
    expect(isAlive(ends[0]?.pid as number)).toBe(false);
    expect(isAlive(gc)).toBe(false);
    // The retry ran under a new spawner or in-process while it booted (a resumed session: the fake claude then finishes).
    expect(ends).toHaveLength(2);
    expect(ends[1]).toMatchObject({ outcome: 'success' });
    await waitFor('no spawner left after the worker stopped', () => spawnerChildren().length === 0);
  });

  it('policies.worker.spawner "off": the worker starts the tools itself', async () => {
    const off = await makeWorkerRoot({ policies: { worker: { spawner: 'off' } } });
    try {
      await dropTasks(off.root, 't.jsonl', [{ id: 'ok', tool: 'claude', prompt: 'x' }]);
      const { logger, infos } = lines();
      await runUntilIdle(off, { logger });
      expect(await stateOf(off, 'ok')).toBe('done');
      expect(infos.some((m) => m.endsWith('(tools started by: in-process)'))).toBe(true);
      await waitFor('no spawner', () => spawnerChildren().length === 0);
    } finally {
      await off.cleanup();
    }
  });
});
