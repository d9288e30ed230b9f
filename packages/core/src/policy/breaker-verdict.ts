import type { Classification } from '../tool/classify.js';

/** What one finished attempt tells a tool's breaker: a failure (with its reason), a success, or nothing. */
export type BreakerVerdict = string | undefined | null;

// Permanent failures that say the tool itself cannot work (every task would fail the same way).
const TOOL_HEALTH =
  /auth|log ?in|api key|credential|unauthori[sz]ed|forbidden|billing|credit|quota|config|trust/i;

/**
 * Which attempts count against a tool's breaker, for the worker and the orchestrator alike.
 * Returns the failure reason for trouble with the tool or its service (rate limits, outages,
 * hangs, auth); `undefined` for a success (the tool works); `null` for results that say nothing
 * about the tool — a usage or rate limit (the tool is parked instead), a bad task (wrong flag, failing git command), a missing program (fails at once
 * on its own), an interrupted run, a question, a suspect result, a spend cap — which neither open
 * the breaker nor reset its count.
 */
export function breakerVerdict(c: Pick<Classification, 'outcome' | 'reason' | 'limit'>): BreakerVerdict {
  // An account limit parks the tool until its reset (policy/park.ts): the breaker's fixed open
  // period would only hold the tool's tasks past the reset.
  if (c.limit !== undefined) return null;
  switch (c.outcome) {
    case 'success':
      return undefined;
    // auth: not logged in, the tool cannot work at all (as a permanent auth failure counted before).
    case 'transient':
    case 'timeout':
    case 'stalled':
    case 'auth':
      return c.reason;
    case 'permanent':
      return TOOL_HEALTH.test(c.reason) && !/flag|argument|option/i.test(c.reason) ? c.reason : null;
    default:
      return null;
  }
}
