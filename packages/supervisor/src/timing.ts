import type { PoliciesConfig } from '@headless/core/config/schema';
import type { RestartPolicy } from './restart-policy.js';

/** Every duration the supervisor works with, in ms (tests shrink them; policies give them in seconds). */
export interface Timing extends RestartPolicy {
  heartbeatIntervalMs: number;
  /** A child whose last heartbeat (or fork, before the first one) is older than this is killed. */
  staleAfterMs: number;
  /** Shutdown: how long children get to stop before they are killed. */
  graceMs: number;
  /** A client that does not authenticate within this is dropped. */
  authTimeoutMs: number;
  /** How often the stale check runs. */
  watchdogTickMs: number;
  /** How often the stop file is polled (fs.watch is the fast path). */
  stopPollMs: number;
}

export function timingFromPolicies(p: PoliciesConfig, overrides: Partial<Timing> = {}): Timing {
  const staleAfterMs = overrides.staleAfterMs ?? p.heartbeat.staleAfterSec * 1000;
  return {
    baseMs: p.supervisor.restartBaseMs,
    maxMs: p.supervisor.restartMaxMs,
    stableAfterMs: p.supervisor.stableAfterSec * 1000,
    stormRestarts: p.supervisor.stormRestarts,
    stormWindowMs: p.supervisor.stormWindowSec * 1000,
    stormDelayMs: p.supervisor.stormDelaySec * 1000,
    heartbeatIntervalMs: p.heartbeat.intervalSec * 1000,
    graceMs: p.shutdown.graceSec * 1000,
    authTimeoutMs: 2000,
    stopPollMs: 1000,
    // Fine enough to catch a stale child within a fraction of staleAfter, coarse enough to stay idle.
    watchdogTickMs: Math.max(50, Math.min(1000, Math.floor(staleAfterMs / 10))),
    ...overrides,
    staleAfterMs,
  };
}
