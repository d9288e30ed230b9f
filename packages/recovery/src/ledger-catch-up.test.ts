import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PoliciesConfig } from '@headless/core/config/schema';
import { setFaultHandler, SimulatedCrash } from '@headless/core/fault-points';
import { readLedger } from '@headless/core/ledger/ledger';
import { layout } from '@headless/core/paths';
import { makeTempRoot } from '@headless/test-support/temp-root';
import { testTasks, type TestTasks } from '@headless/test-support/tasks';
import { recover } from './recover.js';

/** Crashes the transition named `point` between its store change and its ledger line. */
async function crashAt<T>(point: string, change: () => Promise<T>): Promise<void> {
  setFaultHandler((p) => {
    if (p === point) throw new SimulatedCrash(p);
  });
  try {
    await change().catch((err: unknown) => {
      if (!(err instanceof SimulatedCrash)) throw err;
    });
  } finally {
    setFaultHandler(undefined);
  }
}

describe('recovery brings the ledger in line with the records (chaos finding F7)', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let tasks: TestTasks;
  const policies = PoliciesConfig.parse({});
  beforeEach(async () => {
    ({ root, cleanup } = await makeTempRoot('headless-catchup-'));
    tasks = testTasks(root);
  });
  afterEach(async () => {
    await tasks.close();
    await cleanup();
  });

  const lines = async (task: string) =>
    (await readLedger(layout(root).ledger)).records.filter((r) => r.task === task).map((r) => r.event);

  it('adds the task.queued line a crash kept out of the ledger, once', async () => {
    await crashAt('transition.enqueue:after-store', () => tasks.enqueue([{ id: 'q1', tool: 'git' }]));
    await tasks.ledger.flush();
    expect(await lines('q1')).toEqual([]);
    const report = await recover({ root, policies, fsync: false });
    expect(report.ledgerCaughtUp).toBe(1);
    expect(await lines('q1')).toEqual(['task.queued']);
    expect((await recover({ root, policies, fsync: false })).ledgerCaughtUp).toBe(0);
    expect(await lines('q1')).toEqual(['task.queued']);
  });

  it('adds both lines of an attempt end cut by a crash, in order, after the lines already there', async () => {
    await tasks.enqueue([{ id: 'd1', tool: 'git' }]);
    await tasks.claim('d1');
    await crashAt('transition.end-failed:after-store', async () => {
      const now = new Date().toISOString();
      await tasks.transitions.endAttempt(
        'd1',
        { attempt: 1, startedAt: now, endedAt: now },
        { tool: 'git', exitCode: 1 },
        { to: 'failed', reason: 'exit code 1', outcome: 'permanent' },
      );
    });
    await tasks.ledger.flush();
    expect(await lines('d1')).toEqual(['task.queued', 'attempt.start']);
    await recover({ root, policies, fsync: false });
    expect(await lines('d1')).toEqual(['task.queued', 'attempt.start', 'attempt.end', 'task.failed']);
    expect((await tasks.store.get('d1'))?.state).toBe('failed');
  });

  it('after a checkpoint, reads only records written since (less a margin) and still adds what a crash cut', async () => {
    await tasks.enqueue([{ id: 'early', tool: 'git' }]);
    await tasks.claim('early');
    const at = new Date().toISOString();
    await tasks.transitions.endAttempt(
      'early',
      { attempt: 1, startedAt: at, endedAt: at },
      { tool: 'git', exitCode: 1 },
      { to: 'failed', reason: 'exit code 1', outcome: 'permanent' },
    );
    await tasks.ledger.flush();
    await recover({ root, policies, fsync: false });
    // Written long before the checkpoint: its file is not read again (docs/store.md, "Ledger catch-up").
    const early = path.join(root, '.tasks', 'failed', 'early.json');
    const hourAgo = new Date(Date.now() - 3600_000);
    await fs.utimes(early, hourAgo, hourAgo);
    await crashAt('transition.enqueue:after-store', () => tasks.enqueue([{ id: 'late', tool: 'git' }]));
    await tasks.ledger.flush();
    const report = await recover({ root, policies, fsync: false });
    expect(report.ledgerCaughtUp).toBe(1);
    expect(await lines('late')).toEqual(['task.queued']);
    expect(await lines('early')).toEqual(['task.queued', 'attempt.start', 'attempt.end', 'task.failed']);
  });

  it('writes a requeue of a dead worker once, whatever the earlier lines', async () => {
    await tasks.enqueue([{ id: 'r1', tool: 'git' }]);
    await tasks.claim('r1');
    await tasks.ledger.flush();
    await recover({ root, policies, fsync: false });
    await recover({ root, policies, fsync: false });
    expect(await lines('r1')).toEqual(['task.queued', 'attempt.start', 'attempt.end', 'task.requeued']);
  });
});
