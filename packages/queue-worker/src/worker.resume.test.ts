import { afterEach, describe, expect, it } from '@jest/globals';
import {
  dropTasks,
  fakeCalls,
  ledgerOf,
  makeWorkerRoot,
  runUntilIdle,
  type WorkerRoot,
} from './testing/harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('a retry continues the agent session', () => {
  let w: WorkerRoot | undefined;
  afterEach(async () => w?.cleanup());

  it('claude: the id given by --session-id before the first attempt is resumed after its idle timeout', async () => {
    w = await makeWorkerRoot({ policies: { retry: { maxAttempts: 2 } } });
    await dropTasks(w.root, 'c.jsonl', [
      {
        id: 'stalls',
        tool: 'claude',
        prompt: 'SCENARIO: silent-hang\nRefactor the parser.',
        idle_timeout_sec: 1,
      },
    ]);
    await runUntilIdle(w);
    const calls = (await fakeCalls(w)).filter((c) => c.tool === 'claude');
    expect(calls).toHaveLength(2);
    const first = calls[0]!.argv;
    const chosen = first[first.indexOf('--session-id') + 1] ?? '';
    expect(chosen).toMatch(UUID);
    expect(first).not.toContain('--resume');
    const second = calls[1]!.argv;
    expect(second[second.indexOf('--resume') + 1]).toBe(chosen);
    expect(second).not.toContain('--session-id');
    // The resumed attempt got the continuation prompt, not the task's prompt again.
    expect(second.join(' ')).toMatch(/Continue the task from where you stopped/);
    const rec = (await w.store.get('stalls'))?.record;
    expect(rec?.state).toBe('done');
    expect(rec?.sessionId).toBe(chosen);
    // The id was on record before the first attempt's tool started.
    const starts = (await ledgerOf(w, 'stalls')).filter((r) => r.event === 'attempt.start');
    expect(starts[0]?.['sessionId']).toBe(chosen);
    expect(starts[1]?.['resumes']).toBe(chosen);
    const ends = (await ledgerOf(w, 'stalls')).filter((r) => r.event === 'attempt.end');
    expect(ends.map((e) => e.outcome)).toEqual(['stalled', 'success']);
    expect(ends[1]?.['resumed']).toBe(chosen);
  }, 30_000);

  it('gemini: the id given by --session-id is resumed with --resume after its idle timeout', async () => {
    w = await makeWorkerRoot({ policies: { retry: { maxAttempts: 2 } } });
    await dropTasks(w.root, 'g.jsonl', [
      {
        id: 'g-stalls',
        tool: 'gemini',
        prompt: 'SCENARIO: silent-hang\nRefactor the parser.',
        idle_timeout_sec: 1,
      },
    ]);
    await runUntilIdle(w);
    const calls = (await fakeCalls(w)).filter((c) => c.tool === 'gemini');
    expect(calls).toHaveLength(2);
    const first = calls[0]!.argv;
    const chosen = first[first.indexOf('--session-id') + 1] ?? '';
    expect(chosen).toMatch(UUID);
    expect(first).not.toContain('--resume');
    const second = calls[1]!.argv;
    expect(second[second.indexOf('--resume') + 1]).toBe(chosen);
    expect(second).not.toContain('--session-id');
    expect(second.join(' ')).toMatch(/Continue the task from where you stopped/);
    // The fake refuses an unknown session (exit 42, as the real CLI): done means the id was the first run's.
    const rec = (await w.store.get('g-stalls'))?.record;
    expect(rec?.state).toBe('done');
    expect(rec?.sessionId).toBe(chosen);
    const ends = (await ledgerOf(w, 'g-stalls')).filter((r) => r.event === 'attempt.end');
    expect(ends.map((e) => e.outcome)).toEqual(['stalled', 'success']);
    expect(ends[1]?.['resumed']).toBe(chosen);
  }, 30_000);

  it('codex: the thread id read from thread.started is resumed with exec resume after a kill', async () => {
    w = await makeWorkerRoot({ policies: { retry: { maxAttempts: 2 } } });
    await dropTasks(w.root, 'x.jsonl', [
      {
        id: 'killed',
        tool: 'codex',
        prompt: 'SCENARIO: started-then-hang\nAdd a test.',
        idle_timeout_sec: 1,
      },
    ]);
    await runUntilIdle(w);
    const calls = (await fakeCalls(w)).filter((c) => c.tool === 'codex');
    expect(calls).toHaveLength(2);
    expect(calls[0]!.argv).not.toContain('resume');
    const ends = (await ledgerOf(w, 'killed')).filter((r) => r.event === 'attempt.end');
    const thread = ends[0]?.sessionId ?? '';
    expect(thread).toMatch(UUID);
    const second = calls[1]!.argv;
    const at = second.indexOf('resume');
    expect(at).toBeGreaterThan(0);
    expect(second[0]).toBe('exec');
    expect(second[at + 1]).toBe(thread);
    expect(second[at + 2]).toMatch(/Continue the task from where you stopped/);
    expect((await w.store.get('killed'))?.state).toBe('done');
  }, 30_000);

  it('resume: false starts every attempt afresh', async () => {
    w = await makeWorkerRoot({ policies: { retry: { maxAttempts: 2 } } });
    await dropTasks(w.root, 'n.jsonl', [
      {
        id: 'fresh',
        tool: 'claude',
        prompt: 'SCENARIO: silent-hang\nx',
        idle_timeout_sec: 1,
        resume: false,
      },
    ]);
    await runUntilIdle(w);
    const calls = (await fakeCalls(w)).filter((c) => c.tool === 'claude');
    expect(calls).toHaveLength(2);
    for (const c of calls) expect(c.argv).not.toContain('--resume');
    expect(calls[1]!.argv.join(' ')).toMatch(/SCENARIO: silent-hang/);
  }, 30_000);
});
