import { describe, expect, it } from '@jest/globals';
import type { TaskRecord } from '@headless/core/task/record';
import type { WorkerContext } from './context.js';
import { gateDependencies } from './dependency-gate.js';

const dependent = { id: 'b', spec: { id: 'b', tool: 't', after: ['a'] } } as unknown as TaskRecord;

/** A gate over a store that knows `known` (id -> state). */
function gate(known: Record<string, string>) {
  const failed: string[] = [];
  const ctx = {
    store: {
      get: (id: string) =>
        Promise.resolve(known[id] ? { state: known[id], record: { id, state: known[id] } } : undefined),
    },
    transitions: {
      failDependency: (id: string) => {
        failed.push(id);
        return Promise.resolve({ id, state: 'failed' });
      },
    },
    summary: { failed: 0 },
    log: { info: () => 0, debug: () => 0 },
    waker: { wake: () => undefined },
    link: null,
  } as unknown as WorkerContext;
  return { run: () => gateDependencies(ctx, [dependent]), failed };
}

describe('gateDependencies', () => {
  it('fails a dependent whose dependency is no longer known anywhere', async () => {
    const g = gate({});
    expect(await g.run()).toEqual([]);
    expect(g.failed).toEqual(['b']);
  });

  it('releases a dependent whose dependency is done', async () => {
    const g = gate({ a: 'done' });
    expect((await g.run()).map((r) => r.id)).toEqual(['b']);
  });
});
