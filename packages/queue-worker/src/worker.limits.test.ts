import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { Clock } from '@headless/core/clock';
import { toolParksFile } from '@headless/core/run-state/tool-parks';
import {
  dropTasks,
  ledgerOf,
  makeWorkerRoot,
  recordNotifications,
  runUntilIdle,
  type WorkerRoot,
} from './testing/harness.js';

/**
 * A clock `aheadMs` before the next whole minute (as the worker sees it), so a reset printed to the
 * minute ("try again at 7:05 PM") is a few seconds away and the test is quick.
 */
function nearMinuteClock(aheadMs: number): { clock: Clock; resetAt: number; resetReal: number } {
  const real = Date.now();
  const resetAt = Math.ceil((real + 120_000) / 60_000) * 60_000;
  const offset = resetAt - aheadMs - real;
  return { clock: { now: () => Date.now() + offset }, resetAt, resetReal: resetAt - offset };
}

const AHEAD_MS = Number(process.env.HEADLESS_LIMIT_AHEAD_MS ?? '10000');

const hm = (d: Date) => ({ h: d.getHours(), m: String(d.getMinutes()).padStart(2, '0') });
/** codex: `7:05 PM`. */
function codexReset(at: number): string {
  const { h, m } = hm(new Date(at));
  return `${h % 12 === 0 ? 12 : h % 12}:${m} ${h < 12 ? 'AM' : 'PM'}`;
}
/** claude: `6:52pm`. */
function claudeReset(at: number): string {
  const { h, m } = hm(new Date(at));
  return `${h % 12 === 0 ? 12 : h % 12}:${m}${h < 12 ? 'am' : 'pm'}`;
}

async function limitCalls(w: WorkerRoot): Promise<{ at: number; limited: boolean }[]> {
  const text = await fs.readFile(path.join(w.root, 'fake-state', 'limit-calls'), 'utf8').catch(() => '');
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => ({ at: Number(l.split(' ')[0]), limited: l.endsWith('limited') }));
}

describe('a usage limit parks the tool until its reset', () => {
  let w: WorkerRoot | undefined;
  afterEach(async () => w?.cleanup());

  for (const tool of ['codex', 'claude'] as const) {
    it(
      `${tool}: six tasks, one limited attempt per slot, none before the reset, all done after it`,
      async () => {
        const slots = 2;
        // 10 s: enough for the first attempts to end before the reset even on a loaded machine.
        // HEADLESS_LIMIT_AHEAD_MS=90000 runs the 1-2 minute version once by hand.
        const { clock, resetAt, resetReal } = nearMinuteClock(AHEAD_MS);
        const t0 = Date.now();
        w = await makeWorkerRoot({
          tools: (t) => {
            const spec = t.tools[tool] as { concurrency?: number };
            spec.concurrency = slots;
          },
          policies: { worker: { concurrency: 4 }, limits: { jitterSec: 0 } },
          env: {
            FAKE_SCENARIO: 'usage-limit-until',
            FAKE_LIMIT_UNTIL_MS: String(resetReal),
            FAKE_RESET: tool === 'codex' ? codexReset(resetAt) : claudeReset(resetAt),
          },
        });
        const ids = [1, 2, 3, 4, 5, 6].map((i) => `${tool}-${i}`);
        for (const id of ids) await fs.mkdir(path.join(w.root, id));
        await dropTasks(
          w.root,
          'six.jsonl',
          ids.map((id) => ({ id, tool, repo: id, prompt: 'Summarise the README.' })),
        );
        let seenPark: { kind: string; until?: string } | undefined;
        const watch = setInterval(() => {
          void toolParksFile(path.join(w!.root, '.tasks', 'run', 'tool-parks.json'))
            .readOrDefault({})
            .then((p) => {
              seenPark ??= p[tool];
            });
        }, 50);
        const summary = await runUntilIdle(w, { clock, maxWaitMs: 120_000 }).finally(() =>
          clearInterval(watch),
        );

        for (const id of ids) {
          const rec = (await w.store.get(id))?.record;
          expect({ id, state: rec?.state }).toEqual({ id, state: 'done' });
          // The limited attempt was not counted.
          expect(rec?.attempts).toBe(1);
        }
        expect(summary.finished.failed ?? 0).toBe(0);
        const calls = await limitCalls(w);
        const limited = calls.filter((c) => c.limited);
        expect(limited.length).toBeGreaterThan(0);
        expect(limited.length).toBeLessThanOrEqual(slots);
        // Every run that was not limited started after the reset.
        for (const c of calls.filter((x) => !x.limited)) expect(c.at).toBeGreaterThanOrEqual(resetReal);
        // A limited attempt whose output is read only after the printed reset (a loaded machine) means
        // that reset's minute, so the park runs to its end: never to the next day (the old flake).
        expect(seenPark).toMatchObject({ kind: 'limit', source: 'reset' });
        expect([resetAt, resetAt + 60_000].map((t) => new Date(t).toISOString())).toContain(seenPark?.until);
        const events = (await ledgerOf(w)).map((r) => r.event);
        expect(events).toEqual(expect.arrayContaining(['tool.parked', 'tool.released']));
        // The breaker was not fed by the limit.
        const breakers = await fs
          .readFile(path.join(w.root, '.tasks', 'run', 'breakers.json'), 'utf8')
          .catch(() => '{}');
        expect(breakers).not.toMatch(/"state":\s*"open"/);
        if (process.env.HEADLESS_LIMIT_AHEAD_MS) {
          const last = Math.max(...calls.map((c) => c.at));
          console.log(
            `${tool}: reset ${AHEAD_MS} ms after the start; ${limited.length} limited attempt(s), ${calls.length - limited.length} after the reset; all done ${last - resetReal} ms after the reset, ${Date.now() - t0} ms in all`,
          );
        }
      },
      // A park to the printed minute's end adds a minute; runUntilIdle itself waits at most two.
      130_000 + AHEAD_MS,
    );
  }

  it('a limit read minutes after the reset it prints backs off briefly, not until the same time tomorrow', async () => {
    // The CLI retried inside, or the machine was loaded: the attempt ends after the time it names.
    const printed = codexReset(Date.now() - 180_000);
    w = await makeWorkerRoot({
      tools: (t) => {
        (t.tools.codex as { concurrency?: number }).concurrency = 1;
      },
      policies: { limits: { jitterSec: 0, backoffBaseSec: 1 } },
      env: { FAKE_SCENARIO: 'usage-limit-until', FAKE_LIMIT_CALLS: '1', FAKE_RESET: printed },
    });
    const ids = ['late-1', 'late-2', 'late-3'];
    for (const id of ids) await fs.mkdir(path.join(w.root, id));
    await dropTasks(
      w.root,
      'late.jsonl',
      ids.map((id) => ({ id, tool: 'codex', repo: id, prompt: 'Summarise the README.' })),
    );
    const summary = await runUntilIdle(w, { maxWaitMs: 60_000 });
    for (const id of ids) {
      const rec = (await w.store.get(id))?.record;
      expect({ id, state: rec?.state, attempts: rec?.attempts }).toEqual({ id, state: 'done', attempts: 1 });
    }
    expect(summary.waiting ?? []).toEqual([]);
    expect((await limitCalls(w)).filter((c) => c.limited)).toHaveLength(1);
    const parked = (await ledgerOf(w)).filter((r) => r.event === 'tool.parked');
    expect(parked).toHaveLength(1);
    const [park] = parked as unknown as { until: string; ts: string }[];
    expect(Date.parse(park!.until) - Date.parse(park!.ts)).toBeLessThan(5_000);
  }, 30_000);

  it('a reset three days ahead parks the tool (the task waits, it does not fail)', async () => {
    const now = Date.now();
    const far = new Date(now + 3 * 86_400_000);
    const month = far.toLocaleString('en-US', { month: 'short' });
    w = await makeWorkerRoot({
      policies: { limits: { jitterSec: 0 } },
      env: { FAKE_RESET: `${month} ${far.getDate()}th, ${far.getFullYear()} ${codexReset(far.getTime())}` },
    });
    const notified = recordNotifications(w);
    await dropTasks(w.root, 'far.jsonl', [
      { id: 'weekly', tool: 'codex', prompt: 'SCENARIO: usage-limit-far\nx' },
      { id: 'weekly-2', tool: 'codex', prompt: 'SCENARIO: usage-limit-far\ny' },
    ]);
    const summary = await runUntilIdle(w, { maxWaitMs: 5_000 });
    const rec = (await w.store.get('weekly'))?.record;
    expect(rec?.state).toBe('queued');
    expect(rec?.attempts).toBe(0);
    expect(Date.parse(rec?.notBefore ?? '')).toBeGreaterThan(now + 2.9 * 86_400_000);
    expect(rec?.reason).toMatch(/usage limit.*parked until/);
    // The second task never ran: the tool was parked.
    expect((await w.store.get('weekly-2'))?.record.attempts).toBe(0);
    expect(summary.waiting?.map((x) => x.id).sort()).toEqual(['weekly', 'weekly-2']);
    const parks = await toolParksFile(path.join(w.root, '.tasks', 'run', 'tool-parks.json')).read();
    expect(parks?.codex?.kind).toBe('limit');
    // One notification: which tool, which task hit it, until when, where to look.
    expect(await notified('tool.parked')).toEqual([
      expect.objectContaining({
        tool: 'codex',
        task: 'weekly',
        until: parks?.codex?.until,
        next: 'headless status',
      }),
    ]);
  }, 30_000);
});
