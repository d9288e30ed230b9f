/**
 * `headless run`'s idle check, after a loop pass. The pass planned from a snapshot of `running`: a
 * task that was running then was left out of the plan, and can have ended (and be back in the queue)
 * by the time the pass looks at `running` again. So the worker may only end when nothing was running
 * at the plan either; otherwise the next pass (its end woke the loop) plans that task.
 */
export function mayCheckIdle(p: {
  runningAtPlan: number;
  runningNow: number;
  started: number;
  inboxPending: boolean;
}): boolean {
  return p.runningAtPlan === 0 && p.runningNow === 0 && p.started === 0 && !p.inboxPending;
}

/**
 * With nothing running or started: `idle` when nothing is left (no queued task, no open breaker's
 * wake), `waiting` when what is left is not due before `waitUntil` (`headless run --max-wait`), else
 * undefined (the worker waits for it).
 */
export function idleEnd(p: {
  queuedLeft: number;
  breakerWake: number | undefined;
  nextWake: number | undefined;
  waitUntil: number | undefined;
}): 'idle' | 'waiting' | undefined {
  if (p.breakerWake === undefined && p.queuedLeft === 0) return 'idle';
  if (p.waitUntil !== undefined && (p.nextWake ?? Infinity) > p.waitUntil) return 'waiting';
  return undefined;
}
