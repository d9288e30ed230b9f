/**
 * Named crash points inside multi-step changes (a store move, a transition's store change and its
 * ledger line), so tests can stop a change at every step and check what recovery makes of it.
 * A no-op unless a test installs a handler (in-process: throw; in a child: `crash-at=<point>` in
 * `HEADLESS_TEST_FAULTS` exits the process there, see faults.ts).
 */
type Handler = (point: string) => void;

let handler: Handler | undefined;

export function faultPoint(point: string): void {
  handler?.(point);
}

/** Installs (or with undefined, removes) the handler; returns the previous one. */
export function setFaultHandler(next: Handler | undefined): Handler | undefined {
  const prev = handler;
  handler = next;
  return prev;
}

/** What an in-process test throws to stand for a crash at a point. */
export class SimulatedCrash extends Error {
  constructor(readonly point: string) {
    super(`simulated crash at ${point}`);
    this.name = 'SimulatedCrash';
  }
}
