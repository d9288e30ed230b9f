import { describe, expect, it } from '@jest/globals';
import type { TaskRecord } from '@headless/core/task/record';
import { TaskSpec } from '@headless/core/task/schema';
import { planNext, type SchedulerInput } from './scheduler.js';

let n = 0;
const rec = (
  id: string,
  tool: string,
  extra: Partial<TaskRecord> = {},
  spec: Record<string, unknown> = {},
): TaskRecord => ({
  id,
  spec: TaskSpec.parse({ id, tool, ...spec }),
  state: 'queued',
  attempts: 0,
  crashes: 0,
  enqueuedAt: new Date(1000 + n++).toISOString(),
  updatedAt: '',
  rev: 1,
  history: [],
  ...extra,
});

const base = (queued: TaskRecord[], over: Partial<SchedulerInput> = {}): SchedulerInput => ({
  queued,
  running: [],
  now: 10_000,
  globalLimit: 4,
  toolLimit: () => 2,
  writesRepo: (t) => t !== 'reader',
  repoOf: (r) => `/repos/${r.spec.repo}`,
  breaker: () => 'closed',
  ...over,
});

describe('planNext', () => {
  it('runs higher priority first, then first queued first', () => {
    const plan = planNext(
      base([rec('a', 'reader'), rec('b', 'reader', {}, { priority: 5 }), rec('c', 'reader')], {
        toolLimit: () => 9,
      }),
    );
    expect(plan.start.map((r) => r.id)).toEqual(['b', 'a', 'c']);
  });
  it('respects the global and per-tool limits', () => {
    const q = ['a', 'b', 'c', 'd', 'e'].map((id) => rec(id, 'reader'));
    expect(planNext(base(q)).start.map((r) => r.id)).toEqual(['a', 'b']);
    expect(planNext(base(q, { globalLimit: 1, toolLimit: () => 9 })).start).toHaveLength(1);
  });
  it('never starts two repo-writing tasks in one repo', () => {
    const q = [
      rec('a', 'claude', {}, { repo: 'r1' }),
      rec('b', 'codex', {}, { repo: 'r1' }),
      rec('c', 'codex', {}, { repo: 'r2' }),
    ];
    expect(planNext(base(q)).start.map((r) => r.id)).toEqual(['a', 'c']);
    expect(
      planNext(base(q, { running: [{ id: 'x', tool: 'aider', writesRepo: '/repos/r2' }] })).start.map(
        (r) => r.id,
      ),
    ).toEqual(['a']);
  });
  it('waits for notBefore and reports when to wake', () => {
    const plan = planNext(base([rec('later', 'reader', { notBefore: new Date(20_000).toISOString() })]));
    expect(plan.start).toHaveLength(0);
    expect(plan.nextWakeAt).toBe(20_000);
  });
  it('parks tasks of a tool whose breaker is open and lets one trial through when half-open', () => {
    const q = [
      rec('a', 'claude', {}, { repo: 'r1' }),
      rec('b', 'claude', {}, { repo: 'r2' }),
      rec('g', 'git', {}, { repo: 'r3' }),
    ];
    const open = planNext(base(q, { breaker: (t) => (t === 'claude' ? 'open' : 'closed') }));
    expect(open.park.map((r) => r.id)).toEqual(['a', 'b']);
    expect(open.start.map((r) => r.id)).toEqual(['g']);
    const half = planNext(base(q, { breaker: (t) => (t === 'claude' ? 'half-open' : 'closed') }));
    expect(half.start.map((r) => r.id)).toEqual(['a', 'g']);
  });
});
