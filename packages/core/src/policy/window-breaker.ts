import { CircuitState, type IBreaker } from 'cockatiel';
import { systemClock, type Clock } from '../clock.js';

/**
 * A cockatiel breaker that opens after `failures` failures within `windowMs`, counted since the
 * last success (a success means the tool works again, so older failures no longer count).
 * Its state is plain data so the breaker survives a worker restart.
 */
export class WindowBreaker implements IBreaker {
  private failureTimes: number[] = [];

  constructor(
    private readonly failures: number,
    private readonly windowMs: number,
    private readonly clock: Clock = systemClock,
  ) {}

  get state(): unknown {
    return { failureTimes: [...this.failureTimes] };
  }

  set state(value: unknown) {
    const times = (value as { failureTimes?: unknown } | null)?.failureTimes;
    this.failureTimes = Array.isArray(times) ? times.filter((t): t is number => typeof t === 'number') : [];
  }

  get recentFailures(): number {
    this.prune();
    return this.failureTimes.length;
  }

  success(_state: CircuitState): void {
    this.failureTimes = [];
  }

  failure(state: CircuitState): boolean {
    // A failed half-open trial reopens at once (cockatiel handles that); count only closed-state failures.
    if (state === CircuitState.HalfOpen) return true;
    this.failureTimes.push(this.clock.now());
    this.prune();
    return this.failureTimes.length >= this.failures;
  }

  private prune(): void {
    const oldest = this.clock.now() - this.windowMs;
    this.failureTimes = this.failureTimes.filter((t) => t > oldest);
  }
}
