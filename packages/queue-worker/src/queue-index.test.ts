import { describe, expect, it } from '@jest/globals';
import type { TaskRecord } from '@headless/core/task/record';
import type { ChangeListener } from '@headless/core/queue/transitions';
import { QueueIndex } from './queue-index.js';
import type { WorkerContext } from './context.js';

const rec = (id: string, state: TaskRecord['state'] = 'queued'): TaskRecord =>
  ({ id, state, rev: 1 }) as unknown as TaskRecord;

/** A context with a fake clock, a store whose queue folder is `onDisk`, and the transitions' listener. */
function harness(onDisk: string[]) {
  let now = 1000;
  let listener: ChangeListener = () => undefined;
  const calls = { ids: 0, reads: 0 };
  const ctx = {
    clock: { now: () => now },
    policies: { worker: { rescanIntervalMs: 2000 } },
    transitions: {
      onChange: (l: ChangeListener) => {
        listener = l;
        return () => undefined;
      },
    },
    store: {
      ids: () => {
        calls.ids++;
        return Promise.resolve([...onDisk]);
      },
      read: (_state: string, id: string) => {
        calls.reads++;
        return Promise.resolve(rec(id));
      },
    },
  } as unknown as WorkerContext;
  const index = new QueueIndex(ctx, () => Promise.resolve());
  return {
    index,
    calls,
    tell: (r: TaskRecord, from?: TaskRecord['state']) => listener(r, from),
    tick: (ms: number) => (now += ms),
  };
}

describe('QueueIndex', () => {
  it('lists the queue folder at the first turn, then only every rescan interval', async () => {
    const h = harness(['a', 'b']);
    await h.index.refresh();
    expect(h.index.values().map((r) => r.id)).toEqual(['a', 'b']);
    expect(h.calls).toEqual({ ids: 1, reads: 2 });
    h.tick(1999);
    await h.index.refresh();
    expect(h.calls.ids).toBe(1);
    h.tick(1);
    await h.index.refresh();
    expect(h.calls).toEqual({ ids: 2, reads: 2 });
  });

  it('follows the worker’s own changes without listing: queued in, claimed or parked out', async () => {
    const h = harness([]);
    await h.index.refresh();
    h.tell(rec('n1'), undefined);
    h.tell(rec('n2'), undefined);
    h.tell(rec('n1', 'processing'), 'queued');
    h.tell(rec('r1'), 'processing');
    // A change that neither enters nor leaves the queue is not the index's business.
    h.tell(rec('x', 'done'), 'processing');
    expect(h.index.values().map((r) => r.id)).toEqual(['n2', 'r1']);
    expect(h.calls.ids).toBe(1);
  });

  it('lists again after invalidate, and keeps what it was told while a listing was under way', async () => {
    const onDisk = ['old'];
    const h = harness(onDisk);
    await h.index.refresh();
    h.index.invalidate();
    const listing = h.index.refresh();
    // Told during the listing, which predates it: kept, not dropped as "not on disk".
    h.tell(rec('new'), undefined);
    await listing;
    expect(
      h.index
        .values()
        .map((r) => r.id)
        .sort(),
    ).toEqual(['new', 'old']);
    expect(h.calls.ids).toBe(2);
  });

  it('lists a long queue less often: one more interval per 2,000 queued tasks', async () => {
    const h = harness(Array.from({ length: 4001 }, (_, i) => `q${i}`));
    await h.index.refresh();
    expect(h.calls.ids).toBe(1);
    // 4,001 queued: every 3 intervals (6 s) instead of every 2 s.
    h.tick(5999);
    await h.index.refresh();
    expect(h.calls.ids).toBe(1);
    h.tick(1);
    await h.index.refresh();
    expect(h.calls.ids).toBe(2);
  });
});
