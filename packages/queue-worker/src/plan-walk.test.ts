import { describe, expect, it } from '@jest/globals';
import type { TaskRecord } from '@headless/core/task/record';
import type { BreakerStateName } from '@headless/core/policy/tool-breakers';
import { planOrdered } from './plan-walk.js';
import { OrderedQueue } from './queue-order.js';
import { planNext, type RunningTask, type SchedulerInput } from './scheduler.js';
import { pick, randomIds, randomRecord, seeded } from './testing/random-queue.js';

const NOW = 5_000_000;
const TOOLS = ['git', 'claude', 'reader', 'codex'];
const gen = { tools: TOOLS, repos: ['r1', 'r2', 'r3'], now: NOW };

/** A random turn: a queue, what runs, the limits, the breakers, held tools and unmet dependencies. */
function scenario(seed: number) {
  const rnd = seeded(seed);
  const ids = randomIds(rnd, 2 + Math.floor(rnd() * 60));
  const queue = ids.map((id) => randomRecord(rnd, id, gen));
  // Some queued records are of tasks still winding down (running), as in the worker.
  const runningIds = new Set(queue.filter(() => rnd() < 0.1).map((r) => r.id));
  const running: RunningTask[] = [...runningIds].map((id) => {
    const tool = queue.find((r) => r.id === id)?.spec.tool ?? 'git';
    return { id, tool, ...(tool !== 'reader' ? { writesRepo: `/repos/${pick(rnd, gen.repos)}` } : {}) };
  });
  const limits = new Map(TOOLS.map((t) => [t, 1 + Math.floor(rnd() * 3)]));
  const states = new Map<string, BreakerStateName>(
    TOOLS.map((t) => [t, pick(rnd, ['closed', 'closed', 'closed', 'open', 'half-open'] as const)]),
  );
  const held = new Set(TOOLS.filter(() => rnd() < 0.15));
  const depsReady = new Set(queue.filter((r) => r.spec.after.length && rnd() < 0.5).map((r) => r.id));
  const common: Omit<SchedulerInput, 'queued'> = {
    running,
    now: NOW,
    globalLimit: 1 + Math.floor(rnd() * 5),
    toolLimit: (t) => limits.get(t) ?? 1,
    writesRepo: (t) => t !== 'reader',
    repoOf: (r) => `/repos/${r.spec.repo}`,
    breaker: (t) => states.get(t) ?? 'closed',
  };
  const excluded = (r: TaskRecord) =>
    runningIds.has(r.id) || held.has(r.spec.tool) || (r.spec.after.length > 0 && !depsReady.has(r.id));
  return { queue, common, excluded, held, splitAt: NOW - Math.floor(rnd() * 3000) };
}

describe('planOrdered', () => {
  it('makes the same plan as planNext over the filtered, sorted queue, for random queues', () => {
    for (let seed = 1; seed <= 800; seed++) {
      const s = scenario(seed);
      // The old pass: filter the candidates out of a copy of the queue, sort, walk all of it.
      const old = planNext({ ...s.common, queued: s.queue.filter((r) => !s.excluded(r)) });
      // The new one: the index (split at an earlier time, then promoted) and a walk that stops early.
      const q = new OrderedQueue(s.splitAt, s.queue);
      q.promote(NOW);
      const now = planOrdered({
        ...s.common,
        ready: q.ready,
        waiting: q.waiting,
        readyPerTool: q.readyPerTool,
        held: (t) => s.held.has(t),
        excluded: s.excluded,
      });
      const ids = (p: typeof old) => ({
        start: p.start.map((r) => r.id),
        park: p.park.map((r) => r.id),
        nextWakeAt: p.nextWakeAt,
      });
      expect({ seed, ...ids(now) }).toEqual({ seed, ...ids(old) });
    }
  });

  it('stops walking once the slots are full, without visiting the rest of the queue', () => {
    const rnd = seeded(3);
    const queue = randomIds(rnd, 500).map((id) => {
      const r = randomRecord(rnd, id, gen);
      return {
        ...r,
        notBefore: undefined,
        spec: { ...r.spec, tool: 'git', after: [] },
      };
    });
    const q = new OrderedQueue(NOW, queue);
    let visited = 0;
    const plan = planOrdered({
      ready: q.ready,
      waiting: q.waiting,
      readyPerTool: q.readyPerTool,
      held: () => false,
      excluded: () => {
        visited++;
        return false;
      },
      running: [],
      now: NOW,
      globalLimit: 2,
      toolLimit: () => 2,
      writesRepo: () => false,
      repoOf: () => '/r',
      breaker: () => 'closed',
    });
    expect(plan.start.map((r) => r.id)).toEqual(q.ready.slice(0, 2).map((r) => r.id));
    expect(visited).toBe(2);
  });
});
