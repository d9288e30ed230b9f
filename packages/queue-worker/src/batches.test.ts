import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { systemClock } from '@headless/core/clock';
import type { NotifyEvent } from '@headless/core/notify/event';
import { layout } from '@headless/core/paths';
import { FolderStore } from '@headless/core/queue/folder-store';
import { Transitions } from '@headless/core/queue/transitions';
import { batchesFile } from '@headless/core/run-state/batches-file';
import { TaskSpec } from '@headless/core/task/schema';
import { MemoryLedger } from '@headless/test-support/store-contract-kit';
import { makeTempRoot } from '@headless/test-support/temp-root';
import { persistentBatches, restoreBatches } from './batches.js';
import type { WorkerLogger } from './logger.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const quiet = { warn: () => undefined } as unknown as WorkerLogger;

describe('restoreBatches', () => {
  it('counts the ids that ended (done, failed) or left the store (gone) while no worker ran, and waits for the rest', async () => {
    const { root, cleanup } = await makeTempRoot('headless-batches-');
    cleanups.push(cleanup);
    const paths = layout(root);
    const store = new FolderStore(paths.tasksDir, { fsync: false });
    await store.init();
    const t = new Transitions(store, new MemoryLedger());
    await t.enqueue(
      ['a', 'b', 'c', 'd'].map((id) => ({ spec: TaskSpec.parse({ id, tool: 'git', args: [] }) })),
    );
    for (const [id, to] of [
      ['a', 'done'],
      ['b', 'failed'],
      ['d', 'done'],
    ] as const) {
      await store.claim(id, (r) => ({ ...r, attempts: 1, claim: { workerPid: 1, claimedAt: r.updatedAt } }));
      await store.move(id, 'processing', to, (r) => r);
    }
    expect(await store.retire('done', 'd', 'delete')).toBe(true);
    await batchesFile(paths.batches).write(
      { 'night.jsonl': { ids: ['a', 'b', 'c', 'd'] } },
      { fsync: false },
    );

    const sent: NotifyEvent[] = [];
    const batches = persistentBatches(paths.batches, quiet);
    const notifier = {
      notify: (ev: NotifyEvent) => void sent.push(ev),
      settled: async () => {},
      close: async () => {},
    };
    await restoreBatches({ batches, store, notifier, clock: systemClock, paths, log: quiet });
    expect(sent).toEqual([]);

    const done = batches.ended('c', 'done', { root, at: new Date().toISOString() });
    expect(done).toMatchObject({
      event: 'batch.done',
      file: 'night.jsonl',
      counts: { done: 2, failed: 1, gone: 1 },
    });
    await batches.flushed();
    expect(await batchesFile(path.join(paths.runDir, 'batches.json')).read()).toEqual({});
  });
});
