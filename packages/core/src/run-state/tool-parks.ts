import * as z from 'zod/mini';
import { stateFile, type StateFile } from './state-file.js';

/**
 * `.tasks/run/tool-parks.json`: the tools that may not start an attempt now, and why. Written by
 * the worker (one writer), read by `headless status`, and cleared for a tool by
 * `headless retry --reset-breaker <tool>` (through the worker, or by the CLI when none runs), so a
 * park survives a restart: six queued codex tasks do not each burn an attempt on the same limit.
 *
 * - `limit`: a usage or rate limit; ends at `until` (the tool's printed reset plus jitter, or a
 *   backoff), never later than `policies.limits.maxParkHours`.
 * - `login`: not logged in or a bad key; no end: a login and `retry --reset-breaker` end it.
 * - `budget`: a spend cap is reached; ends when its day or month does.
 */
export const ToolParkSchema = z.looseObject({
  kind: z.enum(['limit', 'login', 'budget']),
  /** ISO time the park ends by itself (none for `login`). */
  until: z.optional(z.string().check(z.minLength(1))),
  reason: z.string(),
  since: z.string().check(z.minLength(1)),
  /** How `until` was found: the tool's own reset, the backoff, the cap, or the budget period. */
  source: z.optional(z.enum(['reset', 'backoff', 'cap', 'period'])),
  /** The task whose attempt parked it. */
  task: z.optional(z.string()),
  /** Limits in a row without a success between (for the backoff of limits without a reset). */
  limitsInRow: z.optional(z.number().check(z.int(), z.nonnegative())),
});
export type ToolPark = z.infer<typeof ToolParkSchema>;

export const ToolParksSchema = z.record(z.string(), ToolParkSchema);
export type ToolParks = z.infer<typeof ToolParksSchema>;

export function toolParksFile(file: string): StateFile<ToolParks> {
  return stateFile(file, ToolParksSchema);
}

/** Whether a park still holds at `now` (a login park always does). */
export function parkHolds(p: ToolPark, now: number): boolean {
  return p.until === undefined || Date.parse(p.until) > now;
}
