import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { requestBreakerReset } from '@headless/core/policy/breaker-registry';
import { toolParksFile } from '@headless/core/run-state/tool-parks';
import { dropTasks, fakeCalls, makeWorkerRoot, runUntilIdle, type WorkerRoot } from './testing/harness.js';

describe('a tool that is not logged in', () => {
  let w: WorkerRoot | undefined;
  afterEach(async () => w?.cleanup());

  it('one attempt, held for attention with what to do, the tool parked "needs login" until a breaker reset', async () => {
    w = await makeWorkerRoot({ env: { FAKE_SCENARIO: 'not-logged-in' } });
    await dropTasks(w.root, 'two.jsonl', [
      { id: 'first', tool: 'claude', prompt: 'Summarise the README.', priority: 10 },
      { id: 'second', tool: 'claude', prompt: 'Fix the typo.' },
    ]);
    const started = Date.now();
    // `headless run` with its default --max-wait: it must not wait for a person.
    const summary = await runUntilIdle(w, { maxWaitMs: 15 * 60_000 });
    expect(Date.now() - started).toBeLessThan(60_000);

    const first = (await w.store.get('first'))?.record;
    expect(first?.state).toBe('quarantine');
    expect(first?.quarantineKind).toBe('attention');
    expect(first?.history.map((h) => h.outcome)).toEqual(['auth']);
    expect(first?.reason).toMatch(/claude \/login or set ANTHROPIC_API_KEY/);
    expect(first?.reason).toMatch(/headless retry --reset-breaker claude/);
    // One claude call in all: the second task never ran.
    expect((await fakeCalls(w)).filter((c) => c.tool === 'claude')).toHaveLength(1);
    const second = (await w.store.get('second'))?.record;
    expect(second).toMatchObject({ state: 'queued', attempts: 0 });
    const parks = await toolParksFile(path.join(w.root, '.tasks', 'run', 'tool-parks.json')).read();
    expect(parks?.claude).toMatchObject({ kind: 'login', task: 'first' });
    expect(parks?.claude?.until).toBeUndefined();
    // What `headless run` prints: both tasks, and the login.
    const waiting = summary.waiting ?? [];
    expect(waiting.map((x) => x.id).sort()).toEqual(['first', 'second']);
    for (const x of waiting) expect(x.reason).toMatch(/login/);
    expect(summary.finished.attention).toBe(1);

    // The user logs in and resets the breaker: the tool's park ends and both tasks run.
    w.env.FAKE_SCENARIO = 'ok';
    await requestBreakerReset(
      path.join(w.root, '.tasks', 'run', 'breaker-resets.json'),
      'claude',
      new Date(),
    );
    await runUntilIdle(w, { maxWaitMs: 60_000 });
    expect((await w.store.get('first'))?.state).toBe('done');
    expect((await w.store.get('second'))?.state).toBe('done');
    expect(await toolParksFile(path.join(w.root, '.tasks', 'run', 'tool-parks.json')).read()).toEqual({});
  }, 60_000);
});
