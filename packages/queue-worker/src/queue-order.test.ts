import { describe, expect, it } from '@jest/globals';
import type { TaskRecord } from '@headless/core/task/record';
import { dueOf, OrderedQueue } from './queue-order.js';
import { queueOrder } from './scheduler.js';
import { pick, randomIds, randomRecord, seeded } from './testing/random-queue.js';

const NOW = 5_000_000;
const gen = { tools: ['git', 'claude', 'reader'], repos: ['r1', 'r2'], now: NOW };

/** What the index must hold: the old way, a filter and a sort of every record. */
function expected(records: Map<string, TaskRecord>, at: number) {
  const all = [...records.values()];
  const ready = all.filter((r) => !(dueOf(r) > at)).sort(queueOrder);
  const waiting = all
    .filter((r) => dueOf(r) > at)
    .sort((a, b) => dueOf(a) - dueOf(b) || queueOrder(a, b))
    .map((r) => r.id);
  const perTool = new Map<string, number>();
  const readyPerTool = new Map<string, number>();
  for (const r of all) perTool.set(r.spec.tool, (perTool.get(r.spec.tool) ?? 0) + 1);
  for (const r of ready) readyPerTool.set(r.spec.tool, (readyPerTool.get(r.spec.tool) ?? 0) + 1);
  return { ready: ready.map((r) => r.id), waiting, perTool, readyPerTool };
}

function actual(q: OrderedQueue) {
  return {
    ready: q.ready.map((r) => r.id),
    waiting: q.waiting.map((w) => w.rec.id),
    perTool: new Map(q.perTool),
    readyPerTool: new Map(q.readyPerTool),
  };
}

const sorted = (m: Map<string, number>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1));
const comparable = (x: ReturnType<typeof actual>) => ({
  ...x,
  perTool: sorted(x.perTool),
  readyPerTool: sorted(x.readyPerTool),
});

describe('OrderedQueue', () => {
  it('holds the same order as sorting the whole queue, through random inserts, replacements, removals and time', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const rnd = seeded(seed);
      const ids = randomIds(rnd, 40);
      const records = new Map<string, TaskRecord>();
      let at = NOW - 3000;
      const initial = ids.slice(0, 10).map((id) => randomRecord(rnd, id, gen));
      for (const r of initial) records.set(r.id, r);
      const q = new OrderedQueue(at, initial);
      expect(comparable(actual(q))).toEqual(comparable(expected(records, at)));
      for (let step = 0; step < 120; step++) {
        const op = rnd();
        if (op < 0.45) {
          // A new task, or a queued one replaced by its newer record (requeued, released: new fields).
          const r = randomRecord(rnd, pick(rnd, ids), gen);
          records.set(r.id, r);
          q.set(r);
        } else if (op < 0.75) {
          const id = pick(rnd, ids);
          records.delete(id);
          q.remove(id);
        } else {
          // Mostly forward; now and then the clock goes back.
          at += rnd() < 0.85 ? Math.floor(rnd() * 1500) : -Math.floor(rnd() * 4000);
          q.promote(at);
        }
        expect(comparable(actual(q))).toEqual(comparable(expected(records, at)));
        expect(q.size).toBe(records.size);
      }
    }
  });

  it('appends a task queued after the others without searching, and puts a higher priority first', () => {
    const rnd = seeded(7);
    const mk = (id: string, priority: number, t: number) =>
      ({
        ...randomRecord(rnd, id, gen),
        spec: { id, tool: 'git', repo: 'r1', priority, after: [] },
        enqueuedAt: new Date(t).toISOString(),
        notBefore: undefined,
      }) as unknown as TaskRecord;
    const q = new OrderedQueue(NOW);
    q.set(mk('a', 0, 1));
    q.set(mk('b', 0, 2));
    q.set(mk('c', 3, 3));
    q.set(mk('d', 0, 0));
    expect(q.ready.map((r) => r.id)).toEqual(['c', 'd', 'a', 'b']);
    q.remove('c');
    q.set(mk('a', 0, 9));
    expect(q.ready.map((r) => r.id)).toEqual(['d', 'b', 'a']);
  });
});
