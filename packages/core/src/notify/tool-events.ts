import type { ToolPark } from '../run-state/tool-parks.js';
import type { BreakerView } from '../policy/tool-breakers.js';
import type { NotifyEvent } from './event.js';

interface At {
  root: string;
  at: string;
}

/**
 * The event a tool's park gives: `budget.reached` for a spent cap, `tool.parked` for a usage limit
 * or a failed login. Pure. `next` is the one command that helps: a login park ends only by a reset.
 */
export function toolParkEvent(tool: string, park: ToolPark, ctx: At): NotifyEvent {
  const next = park.kind === 'login' ? `headless retry --reset-breaker ${tool}` : 'headless status';
  return {
    v: 1,
    event: park.kind === 'budget' ? 'budget.reached' : 'tool.parked',
    at: ctx.at,
    root: ctx.root,
    tool,
    reason: park.reason,
    ...(park.until ? { until: park.until } : {}),
    ...(park.task ? { task: park.task } : {}),
    next,
  };
}

/** The event of a tool's breaker opening (its tasks wait in quarantine until it half-opens). Pure. */
export function breakerOpenedEvent(tool: string, view: BreakerView, ctx: At): NotifyEvent {
  return {
    v: 1,
    event: 'breaker.opened',
    at: ctx.at,
    root: ctx.root,
    tool,
    reason: view.lastReason ?? `${view.recentFailures} failures in a row`,
    ...(view.openUntil ? { until: view.openUntil } : {}),
    next: `headless retry --reset-breaker ${tool}`,
  };
}
