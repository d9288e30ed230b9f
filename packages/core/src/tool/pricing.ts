import type { PricingSpec } from '../config/schema.js';
import type { Usage } from './output-parsers.js';

/**
 * Cost of an attempt from its tokens, for tools that report tokens but no cost (codex). codex's
 * `turn.completed.usage` counts cached tokens inside `input_tokens` and reasoning tokens inside
 * `output_tokens` (codex-rs TokenUsage: non-cached input = input - cached), so:
 * cost = (input - cached) x input price + cached x cached price + output x output price.
 * A reported cost is kept as it is; a computed one is marked `costEstimated`.
 */
export function estimateCost(usage: Usage, pricing: PricingSpec | null | undefined): Usage {
  if (usage.costUsd !== undefined || !pricing) return usage;
  if (usage.inputTokens === undefined && usage.outputTokens === undefined) return usage;
  return { ...usage, costUsd: costOfTokens(usage, pricing), costEstimated: true };
}

/** US dollars for the tokens in `usage` at `pricing` (per million tokens), rounded to 1e-6. */
export function costOfTokens(usage: Usage, pricing: PricingSpec): number {
  const input = usage.inputTokens ?? 0;
  const cached = Math.min(usage.cachedInputTokens ?? 0, input);
  const cachedPrice = pricing.cachedInputUsdPerMTok ?? pricing.inputUsdPerMTok;
  const usd =
    ((input - cached) * pricing.inputUsdPerMTok +
      cached * cachedPrice +
      (usage.outputTokens ?? 0) * pricing.outputUsdPerMTok) /
    1_000_000;
  return Math.round(usd * 1e6) / 1e6;
}
