import {
  BrokenCircuitError,
  CircuitBreakerPolicy,
  CircuitState,
  circuitBreaker,
  handleType,
} from 'cockatiel';
import type { PoliciesConfig } from '../config/schema.js';
import { systemClock, type Clock } from '../clock.js';
import { WindowBreaker } from './window-breaker.js';

export type BreakerPolicy = PoliciesConfig['breaker'];
export type BreakerStateName = 'closed' | 'open' | 'half-open';

export interface BreakerView {
  state: BreakerStateName;
  /** While open: when the next trial may run. */
  openUntil?: string;
  recentFailures: number;
  lastReason?: string;
}

/** What is persisted: cockatiel's own toJSON() per tool, plus our last failure reason. */
export type BreakersSnapshot = Record<string, { policy: unknown; lastReason?: string }>;

export type BreakerRun<T> = { ran: true; value: T } | { ran: false; openUntil?: string };

class CountedFailure extends Error {
  constructor(readonly value: unknown) {
    super('attempt failed');
  }
}

class NeutralResult extends Error {
  constructor(readonly value: unknown) {
    super('attempt says nothing about the tool');
  }
}

interface Entry {
  policy: CircuitBreakerPolicy;
  breaker: WindowBreaker;
  lastReason?: string;
  /** A trial is running (half-open): its failure re-opens the breaker, which is not news. */
  trial?: boolean;
}

export interface ToolBreakersOptions {
  clock?: Clock;
  initial?: BreakersSnapshot;
  onChange?: (snapshot: BreakersSnapshot) => void;
  /** A closed breaker opened (not a failed half-open trial opening it again, not a restored state). */
  onOpen?: (tool: string, view: BreakerView) => void;
}

/**
 * One cockatiel circuit breaker per tool. Attempts run through `execute`; an open breaker refuses
 * without running. Every change is handed to `onChange` so the caller can persist it.
 * cockatiel reads Date.now() for the open period: tests drive it with fake timers.
 */
export class ToolBreakers {
  private readonly entries = new Map<string, Entry>();
  private readonly clock: Clock;

  constructor(
    private readonly policy: BreakerPolicy,
    opts: ToolBreakersOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.onChange = opts.onChange;
    this.onOpen = opts.onOpen;
    for (const [tool, saved] of Object.entries(opts.initial ?? {})) this.entry(tool, saved);
  }

  private readonly onChange: ToolBreakersOptions['onChange'];
  private readonly onOpen: ToolBreakersOptions['onOpen'];

  private entry(tool: string, saved?: BreakersSnapshot[string]): Entry {
    let e = this.entries.get(tool);
    if (!e) {
      const breaker = new WindowBreaker(this.policy.failures, this.policy.windowSec * 1000, this.clock);
      // Only CountedFailure is a failure; a NeutralResult passes through uncounted (neither failure nor success).
      const policy = circuitBreaker(handleType(CountedFailure), {
        halfOpenAfter: this.policy.openSec * 1000,
        breaker,
        ...(saved ? { initialState: saved.policy } : {}),
      });
      const entry: Entry = {
        policy,
        breaker,
        ...(saved?.lastReason ? { lastReason: saved.lastReason } : {}),
      };
      // A saved half-open state restores as half-open: its failing trial re-opens, it does not newly open.
      entry.trial = policy.state === CircuitState.HalfOpen;
      policy.onHalfOpen(() => (entry.trial = true));
      policy.onReset(() => (entry.trial = false));
      policy.onBreak(() => {
        const again = entry.trial === true;
        entry.trial = false;
        if (!again) this.onOpen?.(tool, this.view(tool));
      });
      e = entry;
      this.entries.set(tool, e);
    }
    return e;
  }

  view(tool: string): BreakerView {
    const e = this.entry(tool);
    const state = e.policy.state;
    const base = {
      recentFailures: e.breaker.recentFailures,
      ...(e.lastReason ? { lastReason: e.lastReason } : {}),
    };
    if (state === CircuitState.HalfOpen) return { state: 'half-open', ...base };
    if (state === CircuitState.Open || state === CircuitState.Isolated) {
      const openedAt = (e.policy.toJSON() as { ownState?: { openedAt?: number } }).ownState?.openedAt ?? 0;
      const until = openedAt + this.policy.openSec * 1000;
      // cockatiel moves to half-open lazily on the next call; report it as due once the period is over.
      if (this.clock.now() >= until) return { state: 'half-open', ...base };
      return { state: 'open', openUntil: new Date(until).toISOString(), ...base };
    }
    return { state: 'closed', ...base };
  }

  /**
   * Runs `fn` unless the tool's breaker is open. `verdict` reads the result: a string is a failure
   * that counts against the tool (the reason), `undefined` a success, `null` a result that says
   * nothing about the tool (see breaker-verdict.ts) and leaves the breaker as it was.
   */
  async execute<T>(
    tool: string,
    fn: () => Promise<T>,
    verdict: (value: T) => string | undefined | null,
  ): Promise<BreakerRun<T>> {
    const e = this.entry(tool);
    try {
      const value = await e.policy.execute(async () => {
        const v = await fn();
        const reason = verdict(v);
        if (reason === null) throw new NeutralResult(v);
        if (reason !== undefined) {
          e.lastReason = reason;
          throw new CountedFailure(v);
        }
        return v;
      });
      return { ran: true, value };
    } catch (err) {
      if (err instanceof CountedFailure || err instanceof NeutralResult)
        return { ran: true, value: err.value as T };
      if (err instanceof BrokenCircuitError) {
        const v = this.view(tool);
        return { ran: false, ...(v.openUntil ? { openUntil: v.openUntil } : {}) };
      }
      throw err;
    } finally {
      this.onChange?.(this.snapshot());
    }
  }

  /** Closes a tool's breaker by hand (`headless retry` after the user fixed the cause). */
  reset(tool: string): void {
    this.entries.delete(tool);
    this.onChange?.(this.snapshot());
  }

  snapshot(): BreakersSnapshot {
    const out: BreakersSnapshot = {};
    for (const [tool, e] of this.entries) {
      out[tool] = { policy: e.policy.toJSON(), ...(e.lastReason ? { lastReason: e.lastReason } : {}) };
    }
    return out;
  }

  tools(): string[] {
    return [...this.entries.keys()];
  }
}
