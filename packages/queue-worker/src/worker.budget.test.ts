import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from '@headless/test-support/wait-for';
import { toolParksFile } from '@headless/core/run-state/tool-parks';
import { spendFile } from '@headless/core/run-state/spend-file';
import {
  dropTasks,
  fakeCalls,
  ledgerOf,
  makeWorkerRoot,
  recordNotifications,
  runUntilIdle,
  type WorkerRoot,
} from './testing/harness.js';

describe('a daily budget headless enforces', () => {
  let w: WorkerRoot | undefined;
  afterEach(async () => w?.cleanup());

  it('$1.00 a day at $0.40 a run: three runs start, the rest wait with a budget reason, the next day they run', async () => {
    let offset = 0;
    const clock = { now: () => Date.now() + offset };
    w = await makeWorkerRoot({ policies: { budget: { dailyUsd: 1 } }, env: { FAKE_COST: '0.40' } });
    const notified = recordNotifications(w);
    const ids = [1, 2, 3, 4, 5].map((i) => `spend-${i}`);
    await dropTasks(
      w.root,
      'five.jsonl',
      ids.map((id, i) => ({ id, tool: 'claude', prompt: 'Summarise the README.', priority: 10 - i })),
    );
    const stop = new AbortController();
    const run = runUntilIdle(w, { clock, untilIdle: false, signal: stop.signal });
    try {
      const parksFile = toolParksFile(path.join(w.root, '.tasks', 'run', 'tool-parks.json'));
      const park = await waitFor(
        'claude parked by the budget',
        async () => (await parksFile.readOrDefault({})).claude,
        30_000,
      );
      expect(park).toMatchObject({ kind: 'budget', reason: 'budget: $1.20 of $1.00 spent today' });
      const day1 = (await fakeCalls(w)).filter((c) => c.tool === 'claude');
      expect(day1).toHaveLength(3);
      // claude's own cap is what the budget leaves: $1.00, $0.60, $0.20.
      expect(day1.map((c) => c.argv[c.argv.indexOf('--max-budget-usd') + 1])).toEqual([
        '1.00',
        '0.60',
        '0.20',
      ]);
      // Nothing failed; the others wait in the queue without an attempt spent.
      expect(await w.store.ids('failed')).toEqual([]);
      const waiting = await w.store.list('queued');
      expect(waiting.length).toBeGreaterThanOrEqual(2);
      for (const rec of waiting.filter((r) => r.history.length === 0)) expect(rec.attempts).toBe(0);
      const spent = await spendFile(path.join(w.root, '.tasks', 'run', 'spend.json')).read();
      expect(spent).toMatchObject({ todayUsd: 1.2, byToolToday: { claude: 1.2 } });

      // The next day (the injected clock passes local midnight): the park ends and the waiting run.
      // The third run of each day is cut at claude's cap (outcome budget, not counted) and waits again.
      const nextDay = () => {
        const now = new Date(clock.now());
        offset +=
          new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 0, 1).getTime() - now.getTime();
      };
      nextDay();
      await waitFor('four done on day two', async () => (await w!.store.ids('done')).length === 4, 30_000);
      nextDay();
      await waitFor(
        'all five done on day three',
        async () => (await w!.store.ids('done')).length === 5,
        30_000,
      );
      expect(await w.store.ids('failed')).toEqual([]);
    } finally {
      stop.abort();
      await run;
    }
    const events = (await ledgerOf(w)).filter((r) => r.tool === 'claude').map((r) => r.event);
    expect(events).toEqual(expect.arrayContaining(['tool.parked', 'tool.released']));
    // Each day's spent budget said so once; no budget park is a tool.parked notification.
    const reached = await notified('budget.reached');
    expect(reached.length).toBeGreaterThanOrEqual(1);
    expect(reached[0]).toMatchObject({ tool: 'claude', reason: 'budget: $1.20 of $1.00 spent today' });
    expect(await notified('tool.parked')).toEqual([]);
  }, 60_000);
});
