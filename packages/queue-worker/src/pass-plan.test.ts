import { describe, expect, it } from '@jest/globals';
import type { TaskRecord } from '@headless/core/task/record';
import type { ChangeListener } from '@headless/core/queue/transitions';
import type { Running, WorkerContext } from './context.js';
import { planPass } from './pass-plan.js';
import { QueueIndex } from './queue-index.js';

const queued = (id: string, at: string): TaskRecord =>
  ({
    id,
    state: 'queued',
    rev: 1,
    enqueuedAt: at,
    spec: { id, tool: 't', repo: '.', priority: 0, after: [] },
  }) as unknown as TaskRecord;

/** One pass over `onDisk` with `running` in flight; tool `t` runs one at a time, as does the worker. */
async function startsWith(onDisk: TaskRecord[], running: Partial<Running>[]): Promise<string[]> {
  const ctx = {
    clock: { now: () => 10_000 },
    paths: { root: '/r' },
    policies: { worker: { rescanIntervalMs: 2000, concurrency: 1 } },
    tools: { tools: { t: { concurrency: 1, writesRepo: false, output: 'text' } } },
    parks: { holding: () => Promise.resolve(undefined) },
    registry: { breakers: { view: () => ({ state: 'closed' }) } },
    running: new Map(running.map((r) => [r.id, r])),
    transitions: { onChange: (_l: ChangeListener) => () => undefined },
    store: {
      ids: () => Promise.resolve(onDisk.map((r) => r.id)),
      read: (_s: string, id: string) => Promise.resolve(onDisk.find((r) => r.id === id)),
    },
  } as unknown as WorkerContext;
  const index = new QueueIndex(ctx, () => Promise.resolve());
  await index.refresh();
  const { plan } = await planPass(ctx, index, 10_000);
  return plan.start.map((r) => r.id);
}

describe('planPass', () => {
  const queue = [queued('b', '2026-01-01T00:00:01Z'), queued('c', '2026-01-01T00:00:02Z')];

  it('keeps the slot of a running attempt', async () => {
    expect(await startsWith(queue, [{ id: 'a', tool: 't' }])).toEqual([]);
  });

  it('gives the slot of an attempt whose end is being stored to the next task', async () => {
    // The tool's tree is gone; only its record move and flush are left (execute.ts, finish).
    expect(await startsWith(queue, [{ id: 'a', tool: 't', slotFree: true }])).toEqual(['b']);
  });
});
