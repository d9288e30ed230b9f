import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { waitFor } from '@headless/test-support/wait-for';
import {
  dropTasks,
  ledgerOf,
  makeWorkerRoot,
  recordNotifications,
  runUntilIdle,
  stateOf,
  type WorkerRoot,
} from './testing/harness.js';

describe('circuit breaker per tool', () => {
  let w: WorkerRoot;
  beforeEach(async () => {
    w = await makeWorkerRoot({
      policies: { retry: { maxAttempts: 1 }, breaker: { failures: 3, windowSec: 60, openSec: 2 } },
    });
  });
  afterEach(() => w.cleanup());

  it('parks a failing tool in quarantine while others run, keeps it open across a restart, and lets its tasks back after the open period', async () => {
    // gemini is overloaded for its first three calls (the counter is shared through FAKE_TASK_KEY), then well again.
    // (An overload, not a rate limit: a limit parks the tool instead of feeding the breaker.)
    const env = { FAKE_TASK_KEY: 'gemini-outage', FAKE_FAIL_TIMES: '3', FAKE_FAIL_CASE: 'overloaded' };
    const notified = recordNotifications(w);
    await dropTasks(w.root, 'a.jsonl', [
      ...[1, 2, 3].map((i) => ({
        id: `g-fail-${i}`,
        tool: 'gemini',
        prompt: 'SCENARIO: rate-limit-then-ok\nx',
        env,
        priority: 10,
      })),
    ]);
    // First worker run: three failures open the breaker. Stop it with STOP.HEADLESS once they are in.
    const stop = new AbortController();
    const first = runUntilIdle(w, { untilIdle: false, signal: stop.signal });
    await waitFor('three gemini failures', async () => (await w.store.ids('failed')).length === 3, 20000);
    await waitFor('breaker state saved', async () => {
      try {
        const s = JSON.parse(
          await fs.readFile(path.join(w.root, '.tasks', 'run', 'breakers.json'), 'utf8'),
        ) as Record<string, unknown>;
        return 'gemini' in s;
      } catch {
        return false;
      }
    });
    stop.abort();
    await first;
    // The breaker opened once: one ledger line and one notification saying why, until when and what to do.
    const opened = (await ledgerOf(w)).filter((r) => r.event === 'breaker.opened');
    expect(opened).toEqual([
      expect.objectContaining({ tool: 'gemini', reason: expect.stringMatching(/overload|503/i) }),
    ]);
    expect(await notified('breaker.opened')).toEqual([
      expect.objectContaining({
        tool: 'gemini',
        reason: opened[0]?.reason,
        until: expect.any(String),
        next: 'headless retry --reset-breaker gemini',
      }),
    ]);

    // A new worker (a restart) still has gemini's breaker open: its new tasks are parked, git's run.
    await dropTasks(w.root, 'b.jsonl', [
      { id: 'g-later', tool: 'gemini', prompt: 'SCENARIO: rate-limit-then-ok\nx', env },
      { id: 'git-meanwhile', tool: 'git', args: ['--version'] },
    ]);
    const second = runUntilIdle(w);
    await waitFor(
      'g-later parked in quarantine',
      async () => (await stateOf(w, 'g-later')) === 'quarantine',
      10000,
    );
    const parked = (await w.store.get('g-later'))?.record;
    expect(parked?.reason).toMatch(/gemini breaker open until .*:/);
    await waitFor(
      'git task done while gemini is parked',
      async () => (await stateOf(w, 'git-meanwhile')) === 'done',
      10000,
    );
    await second;
    // After the open period the parked task came back by itself and succeeded as the half-open trial.
    expect(await stateOf(w, 'g-later')).toBe('done');
    const events = (await ledgerOf(w, 'g-later')).map((r) => r.event);
    expect(events).toEqual(
      expect.arrayContaining(['task.quarantined', 'task.released', 'attempt.start', 'task.done']),
    );
    // The restart restored the open breaker: that is not a new opening.
    expect((await ledgerOf(w)).filter((r) => r.event === 'breaker.opened')).toHaveLength(1);
    expect(await notified('breaker.opened')).toHaveLength(1);
  });
});
