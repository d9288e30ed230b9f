import type { PoliciesConfig } from '../config/schema.js';

/** Ceiling on how long a killed tree gets between SIGTERM and SIGKILL. */
const MAX_KILL_GRACE_MS = 5000;

/**
 * The SIGTERM-to-SIGKILL grace for a tool tree that is being ended (timeout, stall, stop). Half the
 * shutdown grace at most, so a stop can still end every tree and requeue its task in time.
 */
export function killGraceMs(policies: Pick<PoliciesConfig, 'shutdown'>): number {
  return Math.min(MAX_KILL_GRACE_MS, Math.floor((policies.shutdown.graceSec * 1000) / 2));
}
