import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { dropTasks, ledgerOf, makeWorkerRoot, runUntilIdle, type WorkerRoot } from './testing/harness.js';

describe('a tool that waits for a person', () => {
  let w: WorkerRoot;
  beforeEach(async () => {
    // No model and no API key: aider starts its browser login and would wait there.
    w = await makeWorkerRoot({ policies: { worker: { defaultIdleTimeoutSec: 600 } } });
  });
  afterEach(() => w.cleanup());

  it('ends the attempt at the first prompt line as blocked on input, without waiting for the idle timeout', async () => {
    await dropTasks(w.root, 'a.jsonl', [
      { id: 'onboarding', tool: 'aider', prompt: 'refactor', files: ['x.py'] },
    ]);
    const t0 = Date.now();
    await runUntilIdle(w);
    expect(Date.now() - t0).toBeLessThan(15000);
    const rec = (await w.store.get('onboarding'))?.record;
    // Held for a person (needs attention), not failed and not retried.
    expect(rec?.state).toBe('quarantine');
    expect(rec?.quarantineKind).toBe('attention');
    expect(rec?.reason).toMatch(
      /^blocked on input: aider asked ".*URL in your browser.*"; make it non-interactive/,
    );
    expect((await ledgerOf(w, 'onboarding')).filter((r) => r.event === 'attempt.start')).toHaveLength(1);
  });
});

describe('a prompt without a newline', () => {
  let w: WorkerRoot;
  beforeEach(async () => {
    // Idle and wall-clock limits far away: only the partial-line check can end the attempt.
    w = await makeWorkerRoot({
      policies: { worker: { defaultIdleTimeoutSec: 600, defaultTimeoutSec: 600 } },
    });
  });
  afterEach(() => w.cleanup());

  it('ends `Continue? [y/N] ` as blocked_on_input within 5 s, after one attempt', async () => {
    await dropTasks(w.root, 'p.jsonl', [
      { id: 'asks', tool: 'claude', prompt: 'SCENARIO: prompt-no-newline' },
    ]);
    await runUntilIdle(w);
    const ends = (await ledgerOf(w, 'asks')).filter((r) => r.event === 'attempt.end');
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({ outcome: 'blocked_on_input' });
    expect(ends[0]?.reason).toMatch(/^blocked on input: claude asked "Continue\? \[y\/N\]"/);
    // The acceptance bound (issue 12, check 3): spawn, ~1 s of silence, then the tree is ended.
    expect(ends[0]?.durationMs).toBeLessThan(5000);
    expect((await w.store.get('asks'))?.record).toMatchObject({
      state: 'quarantine',
      quarantineKind: 'attention',
    });
  });
});
