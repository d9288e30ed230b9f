import type { LimitKind, PoliciesConfig } from '../config/schema.js';
import type { Classification } from '../tool/classify.js';

/**
 * When a tool that hit an account limit may run again. A usage or rate limit parks the whole tool
 * (every queued task of it would hit the same limit): until the reset the tool printed plus jitter,
 * or, without a reset, for its own exponential backoff. A reset days away (weekly limits) parks for
 * days, never more than `limits.maxParkHours`: nothing fails because the reset is far. A failed
 * login parks the tool with no end: only a person (a login, `retry --reset-breaker`) ends it.
 * Pure: the clock and the randomness come in.
 */

export type LimitsPolicy = PoliciesConfig['limits'];

export type ParkDecision =
  | {
      kind: 'until';
      until: Date;
      /** How the time was found: the tool's own reset, the backoff, or the cap. */
      source: 'reset' | 'backoff' | 'cap';
      limit: LimitKind;
      reason: string;
    }
  | { kind: 'login'; reason: string };

export interface ParkInput {
  tool: string;
  classification: Pick<Classification, 'outcome' | 'limit' | 'resetAt' | 'reason'>;
  now: Date;
  /** Limits of this tool in a row before this one without a success between (0 for the first). */
  previousLimits: number;
  policy: LimitsPolicy;
  /** 0 <= random() < 1; jitter source. */
  random?: () => number;
}

/** The park this attempt calls for, or undefined when it is not an account limit or a failed login. */
export function decidePark(input: ParkInput): ParkDecision | undefined {
  const { classification: c, now, policy } = input;
  if (c.outcome === 'auth') return { kind: 'login', reason: `needs login: ${c.reason}` };
  if (c.limit === undefined) return undefined;
  const random = input.random ?? Math.random;
  const jitterMs = Math.floor(random() * policy.jitterSec * 1000);
  const capMs = policy.maxParkHours * 3_600_000;
  const reset = c.resetAt === undefined ? undefined : new Date(c.resetAt);
  let until: Date;
  let source: 'reset' | 'backoff' | 'cap';
  if (reset !== undefined && reset.getTime() > now.getTime()) {
    until = new Date(reset.getTime() + jitterMs);
    source = 'reset';
  } else {
    const exponent = Math.min(Math.max(0, input.previousLimits), 30);
    const backoffMs = Math.min(policy.backoffMaxSec * 1000, policy.backoffBaseSec * 1000 * 2 ** exponent);
    until = new Date(now.getTime() + backoffMs + jitterMs);
    source = 'backoff';
  }
  if (until.getTime() - now.getTime() > capMs) {
    until = new Date(now.getTime() + capMs);
    source = 'cap';
  }
  const kind = c.limit === 'usage' ? 'usage limit' : 'rate limit';
  const reason = c.reason.startsWith(kind) ? c.reason : `${kind}: ${c.reason}`;
  return { kind: 'until', until, source, limit: c.limit, reason };
}

/**
 * The status line of a parked tool: `codex  parked until 19:05 (usage limit: "…try again at
 * 7:05 PM")`; a park on another day names the date, a login park says what to do.
 */
export function describePark(tool: string, park: ParkDecision, now: Date): string {
  if (park.kind === 'login') {
    return `${tool}  needs login (${park.reason}); then: headless retry --reset-breaker ${tool}`;
  }
  return `${tool}  parked until ${formatLocal(park.until, now)} (${park.reason})`;
}

/** `19:05` today, `Fri 4 Dec 08:13` on another day (host-local time, as the CLIs print it). */
export function formatLocal(at: Date, now: Date): string {
  const hhmm = `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
  const sameDay =
    at.getFullYear() === now.getFullYear() &&
    at.getMonth() === now.getMonth() &&
    at.getDate() === now.getDate();
  if (sameDay) return hhmm;
  const day = at.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short' });
  return `${day.replace(',', '')} ${hhmm}`;
}
