/**
 * When to restart a child that exited: exponential backoff, reset after a stable run, and a storm
 * limit that parks a crash-looping child for a long delay instead of restarting it in a busy loop.
 * Pure: times are passed in, so the maths is tested with fake time.
 */

export interface RestartPolicy {
  baseMs: number;
  maxMs: number;
  /** A child that ran at least this long has its backoff reset. */
  stableAfterMs: number;
  /** This many exits within stormWindowMs... */
  stormRestarts: number;
  stormWindowMs: number;
  /** ...park the child this long (state crash-looping). */
  stormDelayMs: number;
}

export interface RestartHistory {
  /** Quick exits in a row (drives the backoff exponent). */
  consecutive: number;
  /** Exit times inside the storm window. */
  recentExits: number[];
}

export const freshHistory = (): RestartHistory => ({ consecutive: 0, recentExits: [] });

export type RestartDecision =
  | { kind: 'backoff'; delayMs: number; history: RestartHistory }
  | { kind: 'crash-looping'; delayMs: number; history: RestartHistory; exitsInWindow: number };

export function backoffDelay(consecutive: number, policy: Pick<RestartPolicy, 'baseMs' | 'maxMs'>): number {
  // Capping the exponent keeps 2 ** n finite however long the child keeps failing.
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(consecutive, 30));
}

export function decideRestart(
  history: RestartHistory,
  run: { startedAt: number; exitedAt: number },
  policy: RestartPolicy,
): RestartDecision {
  const stable = run.exitedAt - run.startedAt >= policy.stableAfterMs;
  const consecutive = stable ? 0 : history.consecutive;
  const recentExits = [
    ...history.recentExits.filter((t) => run.exitedAt - t < policy.stormWindowMs),
    run.exitedAt,
  ];
  if (!stable && recentExits.length >= policy.stormRestarts) {
    // The window starts afresh after the pause: the child gets stormRestarts more tries, still at the capped backoff.
    return {
      kind: 'crash-looping',
      delayMs: policy.stormDelayMs,
      history: { consecutive: consecutive + 1, recentExits: [] },
      exitsInWindow: recentExits.length,
    };
  }
  return {
    kind: 'backoff',
    // The first exit after a good run restarts at once (a kill -9, an OOM): the queue should not
    // wait. Only repeated exits back off: base, 2 x base, ... up to maxMs.
    delayMs: consecutive === 0 ? 0 : backoffDelay(consecutive - 1, policy),
    history: { consecutive: consecutive + 1, recentExits },
  };
}

export function describeExit(code: number | null, signal: string | null): string {
  if (signal) return `killed by ${signal}`;
  return `exit code ${code ?? 'unknown'}`;
}

/** Why a child is parked as crash-looping: how often it exited, how, and what it said last. */
export function crashLoopReason(
  exits: number,
  windowMs: number,
  lastExit: string,
  stderrTail: string[],
): string {
  const tail = stderrTail.join(' | ').slice(-600);
  return (
    `${exits} exits within ${Math.round(windowMs / 1000)} s; last ${lastExit}` +
    (tail ? `; stderr tail: ${tail}` : '')
  );
}
