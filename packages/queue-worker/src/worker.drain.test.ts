import fs from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { layout } from '@headless/core/paths';
import { drainFile } from '@headless/core/run-state/heartbeat';
import { waitFor } from '@headless/test-support/wait-for';
import {
  dropTasks,
  ledgerOf,
  makeWorkerRoot,
  runUntilIdle,
  stateOf,
  type WorkerRoot,
} from './testing/harness.js';

describe('draining and waiting limits', () => {
  let w: WorkerRoot;
  beforeEach(async () => {
    w = await makeWorkerRoot({ policies: { worker: { concurrency: 1 } } });
  });
  afterEach(() => w.cleanup());

  it('headless run does not wait for a task due in 2030: it returns, naming the task and its time', async () => {
    await dropTasks(w.root, 'a.jsonl', [
      { id: 'now', tool: 'git', args: ['--version'] },
      { id: 'later', tool: 'git', args: ['--version'], not_before: '2030-01-01T00:00:00Z' },
    ]);
    const t0 = Date.now();
    const summary = await runUntilIdle(w, { maxWaitMs: 1000 });
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(await stateOf(w, 'now')).toBe('done');
    expect(summary.waiting).toEqual([{ id: 'later', until: '2030-01-01T00:00:00.000Z' }]);
  });

  it('while draining claims nothing new, lets the running attempt finish in its first attempt, and claims again after', async () => {
    await dropTasks(w.root, 'a.jsonl', [
      { id: 'long', tool: 'node', args: ['-e', 'setTimeout(()=>{},1500)'] },
      { id: 'next', tool: 'node', args: ['-e', '0'] },
    ]);
    const stop = new AbortController();
    const run = runUntilIdle(w, { untilIdle: false, signal: stop.signal });
    await waitFor('long to run', async () => (await stateOf(w, 'long')) === 'processing', 15_000);
    await drainFile(layout(w.root).drainRequest).write({
      at: new Date().toISOString(),
      until: '2099-01-01T00:00:00Z',
    });
    await waitFor('long to finish', async () => (await stateOf(w, 'long')) === 'done', 15_000);
    // Several passes of the loop go by; the second task is still not claimed.
    await new Promise((r) => setTimeout(r, 1000)); // a fixed span on purpose: proves the absence of a claim
    expect(await stateOf(w, 'next')).toBe('queued');
    stop.abort();
    await run;
    await expect(fs.access(layout(w.root).drainRequest)).rejects.toThrow();
    expect((await ledgerOf(w, 'long')).filter((r) => r.event === 'attempt.start')).toHaveLength(1);
  });
});
