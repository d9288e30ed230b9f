import { describe, expect, it } from '@jest/globals';
import { endAs2, MemoryLedger, OWNER, spec, statesOf, type WithStore } from './store-contract-kit.js';
import {
  describeConcurrentChanges,
  describeKnownRecords,
  describeRetention,
} from './store-contract-lifecycle.js';
import { setFaultHandler, SimulatedCrash } from '@headless/core/fault-points';
import type { QueueStore } from '@headless/core/queue/store';
import { Transitions } from '@headless/core/queue/transitions';
import { IllegalMoveError } from '@headless/core/task/state-machine';
import type { TaskRecord } from '@headless/core/task/record';

/**
 * What a store under test offers the contract: a fresh store, and (for crash tests) a second
 * instance over the same storage, as a process started after a crash would open it.
 */
export interface StoreHarness {
  store: QueueStore;
  reopen(): Promise<QueueStore>;
  cleanup(): Promise<void>;
}

/** The fault points a store's moves pass through (its own names, see core/fault-points.ts). */
export interface StoreContractOptions {
  make(): Promise<StoreHarness>;
  /** Store-level points (e.g. `store.move:after-rename`), besides the transitions' own. */
  storePoints: readonly string[];
}

/** Every way a task moves, as (name, setup, change) — each change passes its own fault points. */
const CHANGES: {
  name: string;
  /** The task line the move writes last (its journal must end with it once the move is done). */
  event: string;
  /** Brings task `t` to the state the change starts from. */
  setup: (t: Transitions) => Promise<void>;
  change: (t: Transitions) => Promise<unknown>;
}[] = [
  {
    name: 'enqueue',
    event: 'task.queued',
    setup: () => Promise.resolve(),
    change: (t) => t.enqueue([{ spec: spec({ id: 't', tool: 'git' }) }]),
  },
  { name: 'claim', event: 'attempt.start', setup: (t) => enq(t), change: (t) => t.claim('t', OWNER) },
  {
    name: 'end-done',
    event: 'task.done',
    setup: (t) => enqClaim(t),
    change: (t) => endAs(t, { to: 'done' }),
  },
  {
    name: 'end-retry',
    event: 'task.retry',
    setup: (t) => enqClaim(t),
    change: (t) => endAs(t, { to: 'retry', notBefore: new Date(), reason: 'exit 1' }),
  },
  {
    name: 'end-failed',
    event: 'task.failed',
    setup: (t) => enqClaim(t),
    change: (t) => endAs(t, { to: 'failed', reason: 'exit 1', outcome: 'permanent' }),
  },
  {
    name: 'end-cancelled',
    event: 'task.cancelled',
    setup: (t) => enqClaim(t),
    change: (t) => endAs(t, { to: 'cancelled', reason: 'cancelled by the user' }),
  },
  {
    name: 'end-requeued',
    event: 'task.requeued',
    setup: (t) => enqClaim(t),
    change: (t) =>
      endAs(t, { to: 'requeued', reason: 'interrupted by stop', notBefore: new Date(), uncount: true }),
  },
  {
    name: 'requeue-fault',
    event: 'task.requeued',
    setup: (t) => enqClaim(t),
    change: (t) => t.requeueFault('t', 'could not run: EIO', new Date()),
  },
  {
    name: 'end-parked',
    event: 'task.quarantined',
    setup: (t) => enqClaim(t),
    change: (t) => endAs(t, { to: 'parked', reason: 'breaker open', kind: 'breaker', uncount: true }),
  },
  {
    name: 'park',
    event: 'task.quarantined',
    setup: (t) => enq(t),
    change: (t) => t.park('t', 'breaker open'),
  },
  {
    name: 'release',
    event: 'task.released',
    setup: async (t) => {
      await enq(t);
      await t.park('t', 'breaker open');
    },
    change: (t) => t.release('t', 'half-open'),
  },
  { name: 'cancel', event: 'task.cancelled', setup: (t) => enq(t), change: (t) => t.cancel('t', 'queued') },
  {
    name: 'dependency-failed',
    event: 'task.failed',
    setup: (t) => enq(t),
    change: (t) => t.failDependency('t', 'a2', 'dependency_failed: task "a2" it waits for failed'),
  },
  {
    name: 'user-retry',
    event: 'task.requeued',
    setup: async (t) => {
      await enqClaim(t);
      await endAs(t, { to: 'failed', reason: 'exit 1', outcome: 'permanent' });
    },
    change: (t) => t.userRetry('t', 'failed'),
  },
  {
    name: 'requeue-orphan',
    event: 'task.requeued',
    setup: (t) => enqClaim(t),
    change: async (t) => {
      const rec = (await t.store.read('processing', 't')) as TaskRecord;
      return t.requeueOrphan('t', rec, { reason: 'worker died', now: new Date() });
    },
  },
  {
    name: 'poison',
    event: 'task.failed',
    setup: (t) => enqClaim(t),
    change: async (t) => {
      const rec = (await t.store.read('processing', 't')) as TaskRecord;
      return t.requeueOrphan('t', rec, {
        reason: 'worker died',
        now: new Date(),
        poison: 'poison: 3 crashes',
      });
    },
  },
];

async function enq(t: Transitions): Promise<void> {
  await t.enqueue([{ spec: spec({ id: 't', tool: 'git' }) }]);
}

async function enqClaim(t: Transitions): Promise<void> {
  await enq(t);
  await t.claim('t', OWNER);
}

function endAs(t: Transitions, end: Parameters<Transitions['endAttempt']>[3]): Promise<TaskRecord> {
  const now = new Date().toISOString();
  return t.endAttempt('t', { attempt: 1, startedAt: now, endedAt: now }, { tool: 'git' }, end);
}

/**
 * The promises every queue store keeps, written against `QueueStore` alone: the folder store runs
 * it in `npm test`, and a shared store (PostgreSQL) must pass it too before it ships.
 */
export function describeStoreContract(name: string, opts: StoreContractOptions): void {
  const withStore = storeRunner(opts);
  describe(`queue store contract: ${name}`, () => {
    it('lets exactly one of many concurrent claimers win a task', () =>
      withStore(async (h, t) => {
        await t.enqueue([{ spec: spec({ id: 'c1', tool: 'git' }) }]);
        const rivals = [h.store, await h.reopen(), await h.reopen(), await h.reopen()];
        const results = await Promise.all(
          rivals.map((s, i) =>
            s.claim('c1', (r) => ({ ...r, attempts: r.attempts + 1, reason: `claimer ${i}` })),
          ),
        );
        const winners = results.filter((r) => r !== null);
        expect(winners).toHaveLength(1);
        expect(await statesOf(h.store, 'c1')).toEqual(['processing']);
        expect((await h.store.read('processing', 'c1'))?.reason).toBe(winners[0]?.reason);
      }));

    it('allows only the moves of the state machine, and never duplicates a task', () =>
      withStore(async (h, t) => {
        await t.enqueue([{ spec: spec({ id: 'm1', tool: 'git' }) }]);
        await expect(h.store.move('m1', 'queued', 'done', (r) => r)).rejects.toBeInstanceOf(IllegalMoveError);
        await t.claim('m1', OWNER);
        await endAs2(t, 'm1');
        await expect(h.store.move('m1', 'done', 'queued', (r) => r)).rejects.toBeInstanceOf(IllegalMoveError);
        expect(await statesOf(h.store, 'm1')).toEqual(['done']);
      }));

    it('enqueues idempotently: a replayed line is recognised, a known id refused, a rerun archived', () =>
      withStore(async (h, t) => {
        const src = { file: 'a.jsonl', line: 1, hash: 'h1' };
        expect(await t.enqueue([{ spec: spec({ id: 'e1', tool: 'git' }), source: src }])).toEqual([
          { id: 'e1', result: 'queued' },
        ]);
        expect(await t.enqueue([{ spec: spec({ id: 'e1', tool: 'git' }), source: src }])).toEqual([
          { id: 'e1', result: 'replayed' },
        ]);
        const again = await t.enqueue([{ spec: spec({ id: 'e1', tool: 'git' }) }]);
        expect(again[0]).toMatchObject({ result: 'known', state: 'queued' });
        await t.claim('e1', OWNER);
        await endAs2(t, 'e1');
        expect(await t.enqueue([{ spec: spec({ id: 'e1', tool: 'git', rerun: true }) }])).toEqual([
          { id: 'e1', result: 'queued' },
        ]);
        expect(await statesOf(h.store, 'e1')).toEqual(['queued']);
        expect(await h.store.counts()).toMatchObject({ queued: 1, done: 0 });
      }));

    it('keeps ids unique ignoring case, naming the first', () =>
      withStore(async (_h, t) => {
        await t.enqueue([{ spec: spec({ id: 'A1', tool: 'git' }) }]);
        const [later] = await t.enqueue([{ spec: spec({ id: 'a1', tool: 'git' }) }]);
        expect(later).toMatchObject({ result: 'known' });
        expect(later?.result === 'known' ? later.reason : '').toMatch(/differs only in case from task A1/);
        const batch = await t.enqueue([
          { spec: spec({ id: 'B2', tool: 'git' }) },
          { spec: spec({ id: 'b2', tool: 'git' }) },
        ]);
        expect(batch.map((o) => o.result)).toEqual(['queued', 'known']);
      }));

    it('counts every state and lists records with their priority and not_before', () =>
      withStore(async (h, t) => {
        await t.enqueue([
          { spec: spec({ id: 'p-low', tool: 'git', priority: -5 }) },
          { spec: spec({ id: 'p-high', tool: 'git', priority: 9 }) },
          { spec: spec({ id: 'p-later', tool: 'git', not_before: '2099-01-01T00:00:00Z' }) },
        ]);
        await t.claim('p-low', OWNER);
        expect(await h.store.counts()).toEqual({
          queued: 2,
          processing: 1,
          done: 0,
          failed: 0,
          quarantine: 0,
        });
        const queued = await h.store.list('queued');
        expect(queued.find((r) => r.id === 'p-high')?.spec.priority).toBe(9);
        expect(queued.find((r) => r.id === 'p-later')?.notBefore).toBe('2099-01-01T00:00:00.000Z');
      }));

    it('keeps rejected input lines once each, with file, line and reason', () =>
      withStore(async (h) => {
        const line = {
          file: 'a.jsonl',
          line: 3,
          reason: 'bad json',
          raw: '{',
          rawBytes: 1,
          at: new Date().toISOString(),
        };
        expect((await h.store.rejectLine(line)).created).toBe(true);
        expect((await h.store.rejectLine(line)).created).toBe(false);
        const kept = await h.store.listRejected();
        expect(kept).toHaveLength(1);
        expect(kept[0]).toMatchObject({ file: 'a.jsonl', line: 3, reason: 'bad json' });
        await h.store.removeRejected(kept[0]?.key ?? '');
        expect(await h.store.listRejected()).toHaveLength(0);
      }));

    describeRetention(withStore);
    describeConcurrentChanges(withStore);
    describeKnownRecords(withStore);
    describeCrashes(opts.storePoints, withStore);
  });
}

/** Runs a test body against a fresh store (init first, cleanup after). */
function storeRunner(opts: StoreContractOptions): WithStore {
  return async (fn) => {
    const h = await opts.make();
    const ledger = new MemoryLedger();
    try {
      await h.store.init();
      await fn(h, new Transitions(h.store, ledger), ledger);
    } finally {
      await h.cleanup();
    }
  };
}

/** A crash at every fault point of every transition, then `repair`: each task in exactly one state. */
function describeCrashes(storePoints: readonly string[], withStore: WithStore): void {
  describe('a crash at every step of every transition leaves each task in exactly one state', () => {
    const points = (change: string) => [...storePoints, `transition.${change}:after-store`];
    for (const c of CHANGES) {
      for (const point of points(c.name)) {
        it(`${c.name}, crash at ${point}`, () =>
          withStore(async (h, t) => {
            await c.setup(t);
            const before = await statesOf(h.store, 't');
            let crashed = false;
            setFaultHandler((p) => {
              if (p === point) {
                crashed = true;
                throw new SimulatedCrash(p);
              }
            });
            try {
              await c.change(t).catch((err: unknown) => {
                if (!(err instanceof SimulatedCrash)) throw err;
              });
            } finally {
              setFaultHandler(undefined);
            }
            const after = await h.reopen();
            await after.repair(new Date());
            const states = await statesOf(after, 't');
            if (c.name === 'enqueue' && crashed && before.length === 0) {
              expect(states.length).toBeLessThanOrEqual(1);
            } else {
              expect(states).toHaveLength(1);
            }
            for (const s of states) {
              const rec = await after.read(s as TaskRecord['state'], 't');
              expect(rec?.state).toBe(s);
              // A task that reached a new state carries that move's patch: its journal ends with the
              // move's own line (a claim cut after its rename is the one exception: no claim on
              // record, and recovery puts it back uncounted).
              if (rec && s !== before[0] && c.name !== 'claim') {
                expect(rec.journal?.at(-1)?.event).toBe(c.event);
              }
              if (rec && c.name === 'claim' && s === 'processing') {
                expect(rec.claim === undefined).toBe(!rec.journal?.some((e) => e.event === 'attempt.start'));
              }
            }
          }));
      }
    }
  });
}
