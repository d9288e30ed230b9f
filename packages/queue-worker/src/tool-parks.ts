import { toolParksFile, parkHolds, type ToolPark, type ToolParks } from '@headless/core/run-state/tool-parks';
import type { ParkDecision } from '@headless/core/policy/park';
import type { WorkerContext } from './context.js';

/**
 * The worker's parked tools (usage limits, failed logins, spent budgets), persisted in
 * `.tasks/run/tool-parks.json` after every change so a restart keeps them. While a tool is parked
 * none of its queued tasks is claimed: they wait in the queue, spending no attempt. A park with an
 * end releases itself at that time (`tool.released`); a login park only by a breaker reset.
 */
export class ToolParkBook {
  private parks: ToolParks = {};
  /** Limits in a row per tool, kept past the park's end (a success clears it). */
  private readonly streak = new Map<string, number>();
  private readonly file;

  constructor(
    private readonly ctx: Pick<WorkerContext, 'paths' | 'ledger' | 'log' | 'clock'> & {
      /** Told after a park is stored (the notifier's tool.parked / budget.reached). */
      onPark?: (tool: string, park: ToolPark) => void;
    },
  ) {
    this.file = toolParksFile(ctx.paths.toolParks);
  }

  async load(): Promise<void> {
    this.parks = await this.file.readOrDefault({}, (err) =>
      this.ctx.log.warn(`${err.message}; no tool starts parked`),
    );
  }

  /** The park holding `tool` now, releasing one whose time has come. */
  async holding(tool: string): Promise<ToolPark | undefined> {
    const p = this.parks[tool];
    if (!p) return undefined;
    if (parkHolds(p, this.ctx.clock.now())) return p;
    await this.release(tool, p.kind === 'budget' ? 'a new budget period began' : 'its reset time has come');
    return undefined;
  }

  /** Every park, as stored (for the heartbeat and `run`'s waiting list). */
  all(): Readonly<ToolParks> {
    return this.parks;
  }

  /** Limits of `tool` in a row so far (0 after a success or for the first). */
  limitsInRow(tool: string): number {
    return this.parks[tool]?.limitsInRow ?? this.streak.get(tool) ?? 0;
  }

  /** A finished attempt of `tool` succeeded: the backoff of limits without a reset starts over. */
  succeeded(tool: string): void {
    this.streak.delete(tool);
  }

  async parkLimit(tool: string, d: ParkDecision, task: string): Promise<void> {
    const now = new Date(this.ctx.clock.now()).toISOString();
    const park: ToolPark =
      d.kind === 'login'
        ? { kind: 'login', reason: d.reason, since: now, task }
        : {
            kind: 'limit',
            until: d.until.toISOString(),
            reason: d.reason,
            since: now,
            source: d.source,
            task,
            limitsInRow: this.limitsInRow(tool) + 1,
          };
    // A later limit of a tool already parked (another slot's attempt) keeps the later end.
    const old = this.parks[tool];
    if (old?.kind === 'login' && park.kind !== 'login') return;
    if (old?.until && park.until && old.until >= park.until && old.kind === park.kind) return;
    await this.put(tool, park);
  }

  async parkBudget(tool: string, until: Date, reason: string): Promise<void> {
    const old = this.parks[tool];
    if (old && parkHolds(old, this.ctx.clock.now()) && old.kind !== 'budget') return;
    if (old?.kind === 'budget' && old.until === until.toISOString() && old.reason === reason) return;
    const since = new Date(this.ctx.clock.now()).toISOString();
    await this.put(tool, { kind: 'budget', until: until.toISOString(), reason, since, source: 'period' });
  }

  private async put(tool: string, park: ToolPark): Promise<void> {
    this.parks = { ...this.parks, [tool]: park };
    await this.file.write(this.parks);
    this.ctx.log.warn(`tool ${tool} parked${park.until ? ` until ${park.until}` : ''}: ${park.reason}`);
    await this.ctx.ledger
      .append({
        event: 'tool.parked',
        tool,
        kind: park.kind,
        reason: park.reason,
        ...(park.until ? { until: park.until } : {}),
        ...(park.task ? { task: park.task } : {}),
      })
      .catch(() => undefined);
    this.ctx.onPark?.(tool, park);
  }

  /** Ends `tool`'s park (its time came, or `retry --reset-breaker`). */
  async release(tool: string, why: string): Promise<boolean> {
    const p = this.parks[tool];
    if (!p) return false;
    const { [tool]: _gone, ...rest } = this.parks;
    this.parks = rest;
    if (p.limitsInRow) this.streak.set(tool, p.limitsInRow);
    await this.file.write(this.parks);
    this.ctx.log.info(`tool ${tool} released: ${why}`);
    await this.ctx.ledger.append({ event: 'tool.released', tool, reason: why }).catch(() => undefined);
    return true;
  }

  /** When the earliest park with an end runs out (ms). */
  nextWake(): number | undefined {
    const now = this.ctx.clock.now();
    let next: number | undefined;
    for (const p of Object.values(this.parks)) {
      if (p.until === undefined || !parkHolds(p, now)) continue;
      next = Math.min(next ?? Infinity, Date.parse(p.until));
    }
    return next;
  }
}
