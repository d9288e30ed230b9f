import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { dropTasks, ledgerOf, makeWorkerRoot, runUntilIdle, type WorkerRoot } from '../testing/harness.js';

/** A big inbox file goes through the store as queue segments (batches of >= 64 tasks). */
describe('a big inbox file', () => {
  let w: WorkerRoot;
  beforeEach(async () => {
    w = await makeWorkerRoot();
  });
  afterEach(() => w.cleanup());

  it('queues every line once, runs the due tasks from their segment and keeps the rest queued', async () => {
    const lines = Array.from({ length: 150 }, (_, i) =>
      i % 50 === 0
        ? { id: `run-${i}`, tool: 'node', args: ['-e', '0'] }
        : { id: `later-${i}`, tool: 'node', args: ['-e', '0'], not_before: '2100-01-01T00:00:00Z' },
    );
    await dropTasks(w.root, 'big.jsonl', lines);
    // Not waiting for 2100: `headless run --max-wait` lists what is not due instead.
    await runUntilIdle(w, { maxWaitMs: 60_000 });
    expect((await w.store.ids('done')).sort()).toEqual(['run-0', 'run-100', 'run-50']);
    expect(await w.store.counts()).toMatchObject({ queued: 147, processing: 0, failed: 0 });
    const queued = (await ledgerOf(w)).filter((r) => r.event === 'task.queued');
    expect(queued).toHaveLength(150);
    // The claims expanded the segments they took tasks from: every task has its own file now.
    const tasks = path.join(w.root, '.tasks');
    expect((await fs.readdir(path.join(tasks, 'segments'))).filter((n) => !n.startsWith('.'))).toEqual([]);
    expect((await fs.readdir(path.join(tasks, 'queued'))).length).toBe(147);
  });
});
