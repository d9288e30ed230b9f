import type { OutputFormat, PricingSpec } from '../config/schema.js';
import type { Usage } from './output-parsers.js';
import { costOfTokens } from './pricing.js';
import { usd } from '../policy/budget.js';

/**
 * The running cost of an attempt, fed line by line while the tool streams, so the runner can end
 * the attempt once it passes its cap (RunRequest.overBudget; outcome `budget`).
 *
 * - claude `--output-format stream-json` (needs `--verbose`): each `assistant` event carries the
 *   message's `usage` (tokens; priced with `tools.claude.pricing` when set, as an estimate); the
 *   final `result` event carries `total_cost_usd`, cumulative for the run in stream-json, which
 *   replaces the estimate.
 * - codex `exec --json`: each `turn.completed` carries that turn's `usage`; cost = tokens x
 *   `tools.codex.pricing` (an estimate). codex reports nothing during a turn, so a single long turn
 *   is seen only at its end.
 * Other formats report no usage while running: the tracker never fires.
 */

export interface UsageTracker {
  /** Feed one output line; returns the reason when the running cost has passed the cap. */
  feed(stream: 'stdout' | 'stderr', line: string): string | undefined;
  /** What has been counted so far. */
  usage(): Usage;
}

export interface TrackerOptions {
  format: OutputFormat;
  pricing: PricingSpec | null;
  /** US dollars this attempt may spend (Infinity / undefined: no cap, only counting). */
  capUsd?: number;
}

export function createUsageTracker(opts: TrackerOptions): UsageTracker {
  let input = 0;
  let cached = 0;
  let output = 0;
  let reportedCost: number | undefined;
  let fired = false;
  const cap = opts.capUsd ?? Infinity;

  const cost = (): number | undefined => {
    if (reportedCost !== undefined) return reportedCost;
    if (!opts.pricing || input + output === 0) return undefined;
    return costOfTokens(
      { inputTokens: input, cachedInputTokens: cached, outputTokens: output },
      opts.pricing,
    );
  };

  const add = (u: Record<string, unknown> | undefined, claude: boolean): void => {
    if (!u) return;
    const n = (k: string): number => (typeof u[k] === 'number' ? u[k] : 0);
    if (claude) {
      // claude counts cache reads and writes apart from input_tokens.
      input += n('input_tokens') + n('cache_creation_input_tokens') + n('cache_read_input_tokens');
      cached += n('cache_read_input_tokens');
    } else {
      input += n('input_tokens');
      cached += n('cached_input_tokens');
    }
    output += n('output_tokens');
  };

  return {
    feed(stream, line) {
      if (stream !== 'stdout') return undefined;
      const event = parseEvent(line);
      if (!event) return undefined;
      if (opts.format === 'claude-json') {
        if (event.type === 'assistant') add(asObject(asObject(event.message)?.usage), true);
        if (event.type === 'result' && typeof event.total_cost_usd === 'number')
          reportedCost = event.total_cost_usd;
      } else if (opts.format === 'codex-jsonl') {
        if (event.type === 'turn.completed') add(asObject(event.usage), false);
      } else {
        return undefined;
      }
      const spent = cost();
      if (fired || spent === undefined || spent <= cap) return undefined;
      fired = true;
      const estimated = reportedCost === undefined ? ' (estimated from tokens)' : '';
      return `budget: ${usd(spent)} spent by this attempt${estimated}, over its cap of ${usd(cap)}`;
    },
    usage() {
      const spent = cost();
      const u: Usage = {};
      if (input > 0) u.inputTokens = input;
      if (cached > 0) u.cachedInputTokens = cached;
      if (output > 0) u.outputTokens = output;
      if (spent !== undefined) u.costUsd = spent;
      if (spent !== undefined && reportedCost === undefined) u.costEstimated = true;
      return u;
    },
  };
}

type Json = Record<string, unknown>;

function asObject(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

function parseEvent(line: string): Json | undefined {
  const t = line.trim();
  if (!t.startsWith('{')) return undefined;
  try {
    return asObject(JSON.parse(t));
  } catch {
    return undefined;
  }
}
