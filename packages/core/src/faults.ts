import { setFaultHandler } from './fault-points.js';

/**
 * Test-only fault switches for supervised children, so the supervisor's promises (restart, storm
 * limit, stale heartbeat) are tested against the real worker and orchestrator.
 *
 * `HEADLESS_TEST_FAULTS` is a comma-separated list of `<component>:<fault>[=<ms>]`:
 * - `crash-at-boot`: exit 1 at once, with a line on stderr;
 * - `crash-after=N`: exit 1 after N ms;
 * - `block-event-loop-after=N`: busy-loop forever after N ms (heartbeats stop; only SIGKILL ends it);
 * - `crash-at=<point>`: exit 1 at a named fault point (e.g. `transition.end-done:after-store`).
 * Example: `worker:block-event-loop-after=1500,worker:crash-at-boot,orchestrator:crash-after=500`.
 * Ignored when `NODE_ENV` is `production`.
 */

export type Fault =
  | { kind: 'crash-at-boot' }
  /** Exit 1 when the named fault point (fault-points.ts) is reached. */
  | { kind: 'crash-at'; point: string }
  | { kind: 'crash-after'; ms: number }
  | { kind: 'block-event-loop-after'; ms: number };

export const FAULTS_ENV = 'HEADLESS_TEST_FAULTS';

/** The faults listed for `component`; unknown or malformed entries are skipped (with a reason). */
export function parseFaults(spec: string, component: string): { faults: Fault[]; skipped: string[] } {
  const faults: Fault[] = [];
  const skipped: string[] = [];
  for (const raw of spec.split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const at = /^([a-z-]+):crash-at=([A-Za-z0-9.:_-]+)$/.exec(entry);
    if (at) {
      if (at[1] === component) faults.push({ kind: 'crash-at', point: at[2] as string });
      continue;
    }
    const match = /^([a-z-]+):([a-z-]+)(?:=(\d+))?$/.exec(entry);
    if (!match) {
      skipped.push(`${entry}: not <component>:<fault>[=<ms>]`);
      continue;
    }
    const [, target, kind, value] = match;
    if (target !== component) continue;
    const ms = value === undefined ? undefined : Number(value);
    if (kind === 'crash-at-boot' && ms === undefined) faults.push({ kind });
    else if ((kind === 'crash-after' || kind === 'block-event-loop-after') && ms !== undefined)
      faults.push({ kind, ms });
    else skipped.push(`${entry}: unknown fault or missing/extra "=ms"`);
  }
  return { faults, skipped };
}

function busyLoopForever(): never {
  // Deliberately blocks the event loop: no timer, heartbeat or signal handler runs again. It still
  // ends once its parent is gone (a test that failed half-way), so it never spins on as an orphan.
  const parent = process.ppid;
  let checkedAt = Date.now();
  for (;;) {
    if (Date.now() - checkedAt >= 200) {
      checkedAt = Date.now();
      if (process.ppid !== parent) process.exit(1);
    }
  }
}

/** Call first thing in a child's entry point. Does nothing unless the test switch is set. */
export function installTestFaults(component: string, env: NodeJS.ProcessEnv = process.env): void {
  const spec = env[FAULTS_ENV];
  if (!spec || env['NODE_ENV'] === 'production') return;
  const { faults, skipped } = parseFaults(spec, component);
  for (const reason of skipped) process.stderr.write(`headless test faults: ignored ${reason}\n`);
  for (const fault of faults) {
    switch (fault.kind) {
      case 'crash-at-boot':
        process.stderr.write(`${component}: test fault crash-at-boot\n`);
        process.exit(1);
        break;
      case 'crash-after':
        setTimeout(() => {
          process.stderr.write(`${component}: test fault crash-after=${fault.ms}\n`);
          process.exit(1);
        }, fault.ms).unref();
        break;
      case 'crash-at': {
        const point = fault.point;
        const prev = setFaultHandler((p) => {
          if (p === point) {
            process.stderr.write(`${component}: test fault crash-at=${point}\n`);
            process.exit(1);
          }
          prev?.(p);
        });
        break;
      }
      case 'block-event-loop-after':
        setTimeout(() => {
          process.stderr.write(`${component}: test fault block-event-loop-after=${fault.ms}\n`);
          busyLoopForever();
        }, fault.ms).unref();
        break;
    }
  }
}
