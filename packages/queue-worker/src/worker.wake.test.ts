import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from '@headless/test-support/wait-for';
import {
  dropTasks,
  ledgerOf,
  makeWorkerRoot,
  runUntilIdle,
  stateOf,
  type WorkerRoot,
} from './testing/harness.js';

/**
 * A running worker (not `headless run`) whose rescan is a minute away: every task below can only
 * start in time if an event woke the loop. A finished task frees its slot before its end is stored
 * and wakes the loop then; a second wake after the store comes only when the end needs one
 * (ctx.passAfterEnd): a dependent to release, a retry back in the queue.
 */
describe('loop wake-ups after an end', () => {
  let w: WorkerRoot | undefined;
  afterEach(async () => w?.cleanup());

  it('starts the next task, a dependent and a retry without waiting for the rescan', async () => {
    w = await makeWorkerRoot({
      // The fakes' call record in a subfolder: a write in the root would wake the loop (STOP.HEADLESS watch).
      env: { FAKE_RECORD: path.join('fake-state', 'calls.jsonl') },
      policies: {
        worker: { concurrency: 1, rescanIntervalMs: 60_000 },
        retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 100, jitter: 'none' },
        breaker: { failures: 10 },
      },
    });
    await dropTasks(w.root, 'chain.jsonl', [
      { id: 'first', tool: 'node', args: ['-e', ''], priority: 3 },
      { id: 'second', tool: 'node', args: ['-e', ''], priority: 2 },
      { id: 'child', tool: 'node', args: ['-e', ''], priority: 1, after: ['first'] },
      {
        id: 'retried',
        tool: 'claude',
        prompt: 'SCENARIO: rate-limit-then-ok\nsummarise',
        priority: 0,
        env: { FAKE_TASK_KEY: 'retried', FAKE_FAIL_CASE: 'overloaded' },
      },
    ]);
    const stop = new AbortController();
    // Durable, as in a real tree: the end's store (its flushes) is still under way during the pass its freed slot woke.
    const run = runUntilIdle(w, { untilIdle: false, signal: stop.signal, fsync: true });
    try {
      for (const id of ['first', 'second', 'child', 'retried'])
        await waitFor(`${id} done`, async () => (await stateOf(w!, id)) === 'done', 20_000);
    } finally {
      stop.abort();
      await run;
    }
    const ends = (await ledgerOf(w, 'retried')).filter((r) => r.event === 'attempt.end');
    expect(ends.map((r) => r.outcome)).toEqual(['transient', 'transient', 'success']);
  }, 60_000);
});

/**
 * The watch events that wake the loop are filtered (wake-events.ts): a writer's temp file does not
 * wake it, the task file it is renamed to and STOP.HEADLESS must. With the rescan a minute away,
 * only those events can make this test finish in time.
 */
describe('loop wake-ups from the watched folders', () => {
  let w: WorkerRoot | undefined;
  afterEach(async () => w?.cleanup());

  it('takes a task dropped into an idle worker and stops on STOP.HEADLESS without waiting for the rescan', async () => {
    w = await makeWorkerRoot({
      env: { FAKE_RECORD: path.join('fake-state', 'calls.jsonl') },
      policies: { worker: { concurrency: 1, rescanIntervalMs: 60_000 } },
    });
    const stop = new AbortController();
    let ended = false;
    const run = runUntilIdle(w, { untilIdle: false, signal: stop.signal }).finally(() => (ended = true));
    try {
      await waitFor(
        'the worker to be idle',
        async () => (await ledgerOf(w!)).some((r) => r.event === 'worker.start'),
        20_000,
      );
      // written as a temp file and renamed: the rename's event on late.jsonl is what wakes the loop
      await dropTasks(w.root, 'late.jsonl', [{ id: 'late', tool: 'node', args: ['-e', ''] }]);
      await waitFor('late done', async () => (await stateOf(w!, 'late')) === 'done', 20_000);
      await fs.writeFile(path.join(w.root, 'STOP.HEADLESS'), '');
      await waitFor('the worker to stop', () => Promise.resolve(ended), 20_000);
    } finally {
      stop.abort();
      await run;
    }
  }, 60_000);
});
