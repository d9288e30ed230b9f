import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from '@headless/test-support/wait-for';
import { batchesFile } from '@headless/core/run-state/batches-file';
import {
  dropTasks,
  makeWorkerRoot,
  recordNotifications,
  runUntilIdle,
  stateOf,
  type WorkerRoot,
} from './testing/harness.js';

describe('batch.done across a restart', () => {
  let w: WorkerRoot | undefined;
  afterEach(async () => w?.cleanup());

  it('a worker stopped in the middle of a batch: the next one sends batch.done with every task of the file', async () => {
    w = await makeWorkerRoot({ policies: { worker: { concurrency: 1 } } });
    const notified = recordNotifications(w);
    const gate = path.join(w.root, 'go');
    // The third task waits for the gate file: it is still running when the first worker stops.
    const waits = `const fs=require('fs');const t=setInterval(()=>{if(fs.existsSync(${JSON.stringify(gate)})){clearInterval(t)}},20)`;
    await dropTasks(w.root, 'night.jsonl', [
      { id: 'b1', tool: 'node', args: ['-e', ''], priority: 3 },
      { id: 'b2', tool: 'node', args: ['-e', ''], priority: 2 },
      { id: 'b3', tool: 'node', args: ['-e', waits], priority: 1 },
    ]);
    const stop = new AbortController();
    const first = runUntilIdle(w, { untilIdle: false, signal: stop.signal });
    await waitFor('b3 running', async () => (await stateOf(w!, 'b3')) === 'processing', 20_000);
    stop.abort();
    await first;
    expect(await stateOf(w, 'b3')).toBe('queued');
    expect(await notified('batch.done')).toEqual([]);
    const open = await batchesFile(path.join(w.root, '.tasks', 'run', 'batches.json')).read();
    expect(Object.values(open ?? {}).map((b) => [...b.ids].sort())).toEqual([['b1', 'b2', 'b3']]);

    await fs.writeFile(gate, '');
    await runUntilIdle(w);
    expect(await stateOf(w, 'b3')).toBe('done');
    const done = (await notified('batch.done')) as Array<{
      tasks?: string[];
      counts?: Record<string, number>;
    }>;
    expect(done).toHaveLength(1);
    expect([...(done[0]?.tasks ?? [])].sort()).toEqual(['b1', 'b2', 'b3']);
    expect(done[0]?.counts).toEqual({ done: 3 });
    expect(await batchesFile(path.join(w.root, '.tasks', 'run', 'batches.json')).read()).toEqual({});
  }, 60_000);
});
