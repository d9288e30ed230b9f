import { expect, it } from '@jest/globals';
import { endAs2, OWNER, spec, statesOf, type WithStore } from './store-contract-kit.js';

/** Retention: finished records leave the live store; nothing else can be retired. */
export function describeRetention(withStore: WithStore): void {
  it('retires a finished record (deleted or archived) and never a live one', () =>
    withStore(async (h, t, ledger) => {
      await t.enqueue([{ spec: spec({ id: 'r1', tool: 'git' }) }, { spec: spec({ id: 'r2', tool: 'git' }) }]);
      for (const id of ['r1', 'r2']) {
        await t.claim(id, OWNER);
        await endAs2(t, id);
      }
      await t.enqueue([{ spec: spec({ id: 'q1', tool: 'git' }) }]);
      expect(await t.retire('done', 'r1', 'archive')).toBe(true);
      expect(await t.retire('done', 'r2', 'delete')).toBe(true);
      expect(await t.retire('done', 'r2', 'delete')).toBe(false);
      // A queued task is not in `done`: nothing to retire, and it stays queued.
      expect(await t.retire('done', 'q1', 'delete')).toBe(false);
      await expect(h.store.retire('queued' as 'done', 'q1', 'delete')).rejects.toThrow(/only finished/);
      expect(await statesOf(h.store, 'r1')).toEqual([]);
      expect(await statesOf(h.store, 'r2')).toEqual([]);
      expect(await statesOf(h.store, 'q1')).toEqual(['queued']);
      expect(ledger.lines.filter((l) => l.event === 'task.retired').map((l) => [l.task, l.how])).toEqual([
        ['r1', 'archive'],
        ['r2', 'delete'],
      ]);
      // A retired id is free again (its history stays in the ledger).
      const again = await t.enqueue([{ spec: spec({ id: 'r1', tool: 'git' }) }]);
      expect(again[0]?.result).toBe('queued');
    }));
}

/** Changes of one task made at the same time (a user retry twice, a pid write racing the end). */
export function describeConcurrentChanges(withStore: WithStore): void {
  it('keeps a task in one state when changes of it run at the same time', () =>
    withStore(async (h, t) => {
      await t.enqueue([{ spec: spec({ id: 'x1', tool: 'git' }) }]);
      await t.claim('x1', OWNER);
      const now = new Date().toISOString();
      const summary = { attempt: 1, startedAt: now, endedAt: now };
      // The pid write and the end of the attempt race: the end wins or the pid write finds no task.
      const raced = await Promise.allSettled([
        t.recordToolPid('x1', 4242, undefined),
        t.endAttempt(
          'x1',
          summary,
          { tool: 'git' },
          { to: 'failed', reason: 'exit 1', outcome: 'permanent' },
        ),
      ]);
      expect(raced[1]?.status).toBe('fulfilled');
      expect(await statesOf(h.store, 'x1')).toEqual(['failed']);
      // Two user retries at once: one moves it, the other finds it gone.
      const retries = await Promise.allSettled([t.userRetry('x1', 'failed'), t.userRetry('x1', 'failed')]);
      expect(retries.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(await statesOf(h.store, 'x1')).toEqual(['queued']);
    }));

  it('refuses an id submitted again while that task moves, and keeps it in one state', () =>
    withStore(async (h, t) => {
      // The move and the enqueue run side by side, many times: a store that lists its ids while
      // the task is between two states must still see it in one of them.
      for (let i = 0; i < 40; i++) {
        const id = `mv${i}`;
        await t.enqueue([{ spec: spec({ id, tool: 'git' }) }]);
        await t.claim(id, OWNER);
        const [, [again]] = await Promise.all([
          h.store.move(id, 'processing', 'queued', (r) => r),
          t.enqueue([{ spec: spec({ id, tool: 'git' }) }]),
        ]);
        expect(again).toMatchObject({ id, result: 'known' });
        expect(await statesOf(h.store, id)).toEqual(['queued']);
      }
    }));
}

/**
 * What a store may keep in memory between a task's changes (the caller's queued record at the
 * claim, its own last processing write) must never hide what is on disk: the same record as
 * reading it back, and a task moved away meanwhile by another instance is never written back.
 */
export function describeKnownRecords(withStore: WithStore): void {
  it('claims with the caller’s queued record, and tells listeners every change with the state left', () =>
    withStore(async (h, t) => {
      const told: [string, string, string | undefined][] = [];
      t.onChange((rec, from) => told.push([rec.id, rec.state, from]));
      await t.enqueue([{ spec: spec({ id: 'k1', tool: 'git' }) }]);
      const queued = await h.store.read('queued', 'k1');
      const claimed = await t.claim('k1', OWNER, undefined, undefined, queued);
      await t.recordToolPid('k1', 4243, '77');
      await t.recordSession('k1', 'sess-1');
      await endAs2(t, 'k1');
      expect(claimed).toMatchObject({ state: 'processing', attempts: 1, claim: OWNER });
      const done = await h.store.read('done', 'k1');
      // Both updates made since the claim are in the final record: none was lost to a kept copy.
      expect(done).toMatchObject({ state: 'done', attempts: 1, sessionId: 'sess-1', rev: 5 });
      expect(done?.journal?.map((j) => j.event)).toEqual([
        'task.queued',
        'attempt.start',
        'attempt.end',
        'task.done',
      ]);
      expect(told).toEqual([
        ['k1', 'queued', undefined],
        ['k1', 'processing', 'queued'],
        ['k1', 'done', 'processing'],
      ]);
    }));

  it('never writes back a processing task another instance moved away', () =>
    withStore(async (h, t) => {
      await t.enqueue([{ spec: spec({ id: 'k2', tool: 'git' }) }]);
      await t.claim('k2', OWNER);
      await t.recordToolPid('k2', 4244, undefined);
      const other = await h.reopen();
      await other.move('k2', 'processing', 'queued', (r) => ({ ...r, reason: 'moved by the other' }));
      await expect(t.recordToolPid('k2', 4245, undefined)).rejects.toThrow(/no longer processing/);
      await expect(endAs2(t, 'k2')).rejects.toThrow(/no longer processing/);
      expect(await statesOf(h.store, 'k2')).toEqual(['queued']);
      expect((await h.store.read('queued', 'k2'))?.reason).toBe('moved by the other');
    }));
}
