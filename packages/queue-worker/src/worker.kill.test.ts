import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { isAlive } from '@headless/core/process/alive';
import { waitFor } from '@headless/test-support/wait-for';
import {
  dropTasks,
  ledgerOf,
  makeWorkerRoot,
  runUntilIdle,
  stateOf,
  type WorkerRoot,
} from './testing/harness.js';

async function grandchildPid(w: WorkerRoot, id: string): Promise<number> {
  return waitFor(`${id} to print its grandchild's pid`, async () => {
    try {
      const m = /GRANDCHILD_PID=(\d+)/.exec(
        await fs.readFile(path.join(w.root, 'logs', `task_${id}.log`), 'utf8'),
      );
      return m ? Number(m[1]) : undefined;
    } catch {
      return undefined;
    }
  });
}

describe('ending whole process trees', () => {
  let w: WorkerRoot;
  beforeEach(async () => {
    w = await makeWorkerRoot({ policies: { retry: { maxAttempts: 1 }, shutdown: { graceSec: 1 } } });
  });
  afterEach(() => w.cleanup());

  it('ends a task at its timeout, grandchild that ignores SIGTERM included', async () => {
    await dropTasks(w.root, 't.jsonl', [
      { id: 'stuck', tool: 'claude', prompt: 'SCENARIO: grandchild\nx', timeout_sec: 1 },
    ]);
    const run = runUntilIdle(w);
    const gc = await grandchildPid(w, 'stuck');
    const started = Date.now();
    await run;
    const end = (await ledgerOf(w, 'stuck')).find((r) => r.event === 'attempt.end');
    expect(end).toMatchObject({ outcome: 'timeout' });
    expect(end?.['survivors']).toBeUndefined();
    const toolPid = end?.pid as number;
    await waitFor('tool and grandchild gone', () => !isAlive(gc) && !isAlive(toolPid), 3000);
    // timeout (1 s) + grace (1 s) + slack
    expect(Date.now() - started).toBeLessThan(4000);
    expect(await stateOf(w, 'stuck')).toBe('failed');
  });

  it('STOP.HEADLESS during a run: exits within the grace period and puts unfinished tasks back in the queue', async () => {
    await dropTasks(w.root, 't.jsonl', [
      { id: 'long', tool: 'codex', prompt: 'SCENARIO: grandchild\nx' },
      { id: 'waiting', tool: 'codex', prompt: 'x' },
    ]);
    const run = runUntilIdle(w, { untilIdle: false });
    const gc = await grandchildPid(w, 'long');
    const t0 = Date.now();
    await fs.writeFile(path.join(w.root, 'STOP.HEADLESS'), '');
    const summary = await run;
    expect(summary.stoppedBy).toBe('stop-file');
    expect(Date.now() - t0).toBeLessThan(1000 * w.policies.shutdown.graceSec * 2 + 1500);
    expect(await stateOf(w, 'long')).toBe('queued');
    expect(await stateOf(w, 'waiting')).toBe('queued');
    expect((await w.store.get('long'))?.record.attempts).toBe(0);
    expect(await w.store.ids('processing')).toEqual([]);
    await waitFor('grandchild gone', () => !isAlive(gc), 3000);
    expect((await ledgerOf(w, 'long')).map((r) => r.event)).toEqual(
      expect.arrayContaining(['attempt.start', 'attempt.end', 'task.requeued']),
    );
  });
});
