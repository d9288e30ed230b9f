import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { retryDelayBounds } from '@headless/core/policy/retry';
import {
  dropTasks,
  ledgerOf,
  makeWorkerRoot,
  runUntilIdle,
  stateOf,
  type WorkerRoot,
} from './testing/harness.js';

describe('retries by failure class', () => {
  let w: WorkerRoot;
  beforeEach(async () => {
    w = await makeWorkerRoot({
      policies: {
        retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 2000, jitter: 'full' },
        breaker: { failures: 10 },
      },
    });
  });
  afterEach(() => w.cleanup());

  it('retries an overloaded claude with jittered backoff until it succeeds, and holds an auth error for attention at once', async () => {
    await dropTasks(w.root, 'r.jsonl', [
      {
        id: 'limited',
        tool: 'claude',
        prompt: 'SCENARIO: rate-limit-then-ok\nsummarise',
        env: { FAKE_TASK_KEY: 'limited', FAKE_FAIL_CASE: 'overloaded' },
      },
      // Another tool: a failed login parks its whole tool (claude's overloaded task would wait behind it).
      { id: 'noauth', tool: 'gemini', prompt: 'SCENARIO: auth\nsummarise' },
    ]);
    await runUntilIdle(w);
    expect(await stateOf(w, 'limited')).toBe('done');
    const limited = await ledgerOf(w, 'limited');
    const ends = limited.filter((r) => r.event === 'attempt.end');
    expect(ends.map((r) => [r.attempt, r.outcome])).toEqual([
      [1, 'transient'],
      [2, 'transient'],
      [3, 'success'],
    ]);
    expect(ends[0]?.reason).toMatch(/overloaded|529/i);
    const retries = limited.filter((r) => r.event === 'task.retry');
    expect(retries).toHaveLength(2);
    retries.forEach((r, i) => {
      const { min, max } = retryDelayBounds(w.policies.retry, i + 1);
      const delay = r['delayMs'] as number;
      expect(delay).toBeGreaterThanOrEqual(min);
      expect(delay).toBeLessThanOrEqual(max);
      // notBefore = decision time + delay, and the decision falls between the attempt's end and this record.
      const notBefore = Date.parse(r.notBefore as string);
      expect(notBefore).toBeGreaterThanOrEqual(Date.parse(ends[i]?.ts ?? '') + delay);
      expect(notBefore).toBeLessThanOrEqual(Date.parse(r.ts) + delay);
    });
    // The next attempt did not start before its notBefore.
    const starts = limited.filter((r) => r.event === 'attempt.start');
    expect(Date.parse(starts[1]?.ts ?? '')).toBeGreaterThanOrEqual(
      Date.parse(retries[0]?.notBefore as string),
    );

    expect(await stateOf(w, 'noauth')).toBe('quarantine');
    const noauth = await ledgerOf(w, 'noauth');
    expect(noauth.filter((r) => r.event === 'attempt.start')).toHaveLength(1);
    expect(noauth.find((r) => r.event === 'attempt.end')).toMatchObject({
      outcome: 'auth',
      class: 'permanent',
    });
  });

  it('fails a task after its last attempt, naming the cause', async () => {
    await dropTasks(w.root, 'r.jsonl', [
      { id: 'always', tool: 'codex', prompt: 'SCENARIO: overloaded\nx', max_attempts: 2 },
    ]);
    await runUntilIdle(w);
    const rec = (await w.store.get('always'))?.record;
    expect(rec?.state).toBe('failed');
    expect(rec?.attempts).toBe(2);
    expect(rec?.reason).toMatch(/attempts exhausted \(2 of 2\)/);
  });

  it('a 429 without a reset parks the tool with a backoff and does not count the attempts', async () => {
    await dropTasks(w.root, 'r.jsonl', [
      {
        id: 'busy',
        tool: 'claude',
        // By env, not the prompt: the attempts after a limit resume with a continuation prompt.
        prompt: 'summarise',
        env: { FAKE_TASK_KEY: 'busy', FAKE_SCENARIO: 'rate-limit-then-ok' },
        max_attempts: 1,
      },
    ]);
    await runUntilIdle(w);
    const rec = (await w.store.get('busy'))?.record;
    expect(rec).toMatchObject({ state: 'done', attempts: 1 });
    const lines = await ledgerOf(w);
    const ends = lines.filter((r) => r.task === 'busy' && r.event === 'attempt.end');
    expect(ends.map((r) => [r.attempt, r.outcome])).toEqual([
      [1, 'transient'],
      [1, 'transient'],
      [1, 'success'],
    ]);
    // Backoff parks of 1 s then 2 s (the harness's limits), each said in the ledger.
    const parks = lines.filter((r) => r.event === 'tool.parked' && r.tool === 'claude');
    expect(parks).toHaveLength(2);
    const starts = lines.filter((r) => r.task === 'busy' && r.event === 'attempt.start');
    expect(Date.parse(starts[1]?.ts ?? '')).toBeGreaterThanOrEqual(Date.parse(parks[0]?.['until'] as string));
    expect(Date.parse(starts[2]?.ts ?? '')).toBeGreaterThanOrEqual(Date.parse(parks[1]?.['until'] as string));
  });
});
