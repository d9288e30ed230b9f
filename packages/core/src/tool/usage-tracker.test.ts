import { describe, expect, it } from '@jest/globals';
import { createUsageTracker } from './usage-tracker.js';

const codexPricing = { inputUsdPerMTok: 1.25, cachedInputUsdPerMTok: 0.125, outputUsdPerMTok: 10 };
const turn = (input: number, cachedIn: number, out: number) =>
  JSON.stringify({
    type: 'turn.completed',
    usage: {
      input_tokens: input,
      cached_input_tokens: cachedIn,
      output_tokens: out,
      reasoning_output_tokens: 0,
    },
  });

describe('usage tracker', () => {
  it('adds codex turns up at the configured prices and fires once past the cap', () => {
    const t = createUsageTracker({ format: 'codex-jsonl', pricing: codexPricing, capUsd: 0.5 });
    expect(t.feed('stdout', JSON.stringify({ type: 'thread.started', thread_id: 'x' }))).toBeUndefined();
    // 100k input (20k cached) + 20k output = 0.1 + 0.0025 + 0.2 = $0.3025
    expect(t.feed('stdout', turn(100_000, 20_000, 20_000))).toBeUndefined();
    const reason = t.feed('stdout', turn(100_000, 20_000, 20_000));
    expect(reason).toBe('budget: $0.60 spent by this attempt (estimated from tokens), over its cap of $0.50');
    expect(t.feed('stdout', turn(1, 0, 1))).toBeUndefined();
    expect(t.usage()).toEqual({
      inputTokens: 200_001,
      cachedInputTokens: 40_000,
      outputTokens: 40_001,
      costUsd: 0.605011,
      costEstimated: true,
    });
  });

  it("takes claude's cumulative stream-json total_cost_usd over any estimate", () => {
    const t = createUsageTracker({ format: 'claude-json', pricing: null, capUsd: 1 });
    const assistant = JSON.stringify({
      type: 'assistant',
      message: { usage: { input_tokens: 10, output_tokens: 5 } },
    });
    expect(t.feed('stdout', assistant)).toBeUndefined();
    expect(t.usage()).toEqual({ inputTokens: 10, outputTokens: 5 });
    expect(t.feed('stdout', JSON.stringify({ type: 'result', total_cost_usd: 0.4 }))).toBeUndefined();
    expect(t.feed('stdout', JSON.stringify({ type: 'result', total_cost_usd: 1.25 }))).toBe(
      'budget: $1.25 spent by this attempt, over its cap of $1.00',
    );
    expect(t.usage().costEstimated).toBeUndefined();
  });

  it('estimates claude mid-run from assistant usage when claude has a price table', () => {
    const t = createUsageTracker({
      format: 'claude-json',
      pricing: { inputUsdPerMTok: 3, outputUsdPerMTok: 15 },
      capUsd: 0.1,
    });
    const msg = (i: number, o: number) =>
      JSON.stringify({ type: 'assistant', message: { usage: { input_tokens: i, output_tokens: o } } });
    expect(t.feed('stdout', msg(10_000, 1_000))).toBeUndefined(); // $0.045
    expect(t.feed('stdout', msg(10_000, 1_000))).toBeUndefined(); // $0.09
    expect(t.feed('stdout', msg(10_000, 1_000))).toMatch(
      /^budget: \$0\.14 spent .*estimated.*cap of \$0\.10$/,
    );
  });

  it('ignores stderr, text, other formats, and never fires without a cap', () => {
    const t = createUsageTracker({ format: 'codex-jsonl', pricing: codexPricing });
    expect(t.feed('stderr', turn(1e9, 0, 1e9))).toBeUndefined();
    expect(t.feed('stdout', 'Reading additional input from stdin...')).toBeUndefined();
    expect(t.feed('stdout', turn(1e9, 0, 1e9))).toBeUndefined();
    const g = createUsageTracker({ format: 'gemini-json', pricing: codexPricing, capUsd: 0 });
    expect(g.feed('stdout', turn(1e9, 0, 1e9))).toBeUndefined();
  });
});
