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
    expect(rec?.state).toBe('failed');
    expect(rec?.reason).toMatch(
      /^blocked on input: aider asked ".*URL in your browser.*"; make it non-interactive/,
    );
    expect((await ledgerOf(w, 'onboarding')).filter((r) => r.event === 'attempt.start')).toHaveLength(1);
  });
});
