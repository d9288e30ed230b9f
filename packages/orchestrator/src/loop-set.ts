import type { LoopSpec, ToolsConfig } from '@headless/core/config/schema';

/** What changed between two `loops` sections: which loops to stop and which to (re)start. Pure. */
export function loopChanges(
  running: ReadonlyMap<string, LoopSpec>,
  next: ToolsConfig['loops'],
): { stop: string[]; start: string[] } {
  const stop: string[] = [];
  const start: string[] = [];
  for (const [name, spec] of running) {
    const now = next[name];
    if (!now?.enabled || JSON.stringify(now) !== JSON.stringify(spec)) stop.push(name);
  }
  for (const [name, spec] of Object.entries(next)) {
    if (!spec.enabled) continue;
    const was = running.get(name);
    if (!was || JSON.stringify(was) !== JSON.stringify(spec)) start.push(name);
  }
  return { stop, start };
}

interface Running {
  spec: LoopSpec;
  /** Aborted to stop the loop after its current run (a config change); the orchestrator's stop is separate. */
  retire: AbortController;
  done: Promise<void>;
}

/**
 * The loops that run now, changed in place when `config/tools.json` changes: a loop that was
 * disabled, removed or edited finishes the run it is in (a 30-minute review is not cut short by an
 * edit), then stops; an edited or newly enabled loop starts with its new spec once its old self has
 * stopped. The first run of a (re)started loop is planned like at start (schedule.ts).
 */
export class LoopSet {
  private readonly loops = new Map<string, Running>();
  /** Every loop not yet ended, retired ones included (a retired loop may still be in its last run). */
  private readonly pending = new Set<Promise<void>>();
  private readonly ending = new Map<string, Promise<void>>();

  constructor(
    private readonly launch: (name: string, spec: LoopSpec, retire: AbortSignal) => Promise<void>,
  ) {}

  apply(next: ToolsConfig['loops']): { stopped: string[]; started: string[] } {
    const specs = new Map([...this.loops].map(([n, r]) => [n, r.spec]));
    const { stop, start } = loopChanges(specs, next);
    for (const name of stop) {
      const r = this.loops.get(name)!;
      r.retire.abort();
      const ended = r.done;
      this.ending.set(name, ended);
      void ended.finally(() => {
        if (this.ending.get(name) === ended) this.ending.delete(name);
      });
      this.loops.delete(name);
    }
    for (const name of start) {
      const spec = next[name]!;
      const retire = new AbortController();
      // Never two runs of one loop at once: an edited loop starts again once its old self has ended.
      const before = this.ending.get(name) ?? Promise.resolve();
      const done = before.then(() => this.launch(name, spec, retire.signal)).catch(() => undefined);
      this.pending.add(done);
      void done.finally(() => this.pending.delete(done));
      this.loops.set(name, { spec, retire, done });
    }
    return { stopped: stop, started: start };
  }

  /** Resolves when the retired loop `name` has ended (at once when none is ending). */
  whenEnded(name: string): Promise<void> {
    return this.ending.get(name) ?? Promise.resolve();
  }

  names(): string[] {
    return [...this.loops.keys()];
  }

  /** Resolves when every loop started so far has ended (after the orchestrator's stop). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
