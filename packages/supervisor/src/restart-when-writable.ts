import { diskFaultCode, probeWritable } from '@headless/core/fs/disk-fault';
import type { ChildRunState } from './state-file.js';

export interface ParkedSlot {
  readonly component: string;
  readonly status: { state: ChildRunState };
  restartNow(): boolean;
}

export interface RestartWhenWritableOptions {
  /** Where the probe writes (`.tasks/run`: the children's state lives there too). */
  dir: string;
  slots: () => readonly ParkedSlot[];
  say: (message: string) => void;
  /** At most one probe this often while a child is parked. */
  everyMs?: number;
  probe?: (dir: string) => { ok: true } | { ok: false; error: unknown };
  now?: () => number;
}

/**
 * A child that died of a full or read-only disk crash-loops and is parked for minutes
 * (supervisor.stormDelaySec). Nothing would bring it back sooner once space returns, so while a
 * child is parked the supervisor probes the disk; when a probe that failed succeeds, every parked
 * child boots at once. Nothing stays down once writes work again.
 */
export class RestartWhenWritable {
  private failing = false;
  private lastProbe = -Infinity;

  constructor(private readonly opts: RestartWhenWritableOptions) {}

  /** Called on every watchdog tick; cheap unless a child is parked. */
  check(): void {
    // Only a crash-looping child waits long (stormDelaySec); a backoff is over in restartMaxMs anyway,
    // and a probe on every ordinary restart would only slow it down.
    const parked = this.opts.slots().filter((s) => s.status.state === 'crash-looping');
    if (parked.length === 0) return;
    const now = (this.opts.now ?? Date.now)();
    if (now - this.lastProbe < (this.opts.everyMs ?? 2000)) return;
    this.lastProbe = now;
    const result = (this.opts.probe ?? probeWritable)(this.opts.dir);
    if (!result.ok) {
      if (!this.failing) {
        const code = diskFaultCode(result.error) ?? String(result.error);
        this.opts.say(
          `writes under ${this.opts.dir} fail (${code}): parked children are restarted as soon as they work again`,
        );
      }
      this.failing = true;
      return;
    }
    if (!this.failing) return;
    this.failing = false;
    const restarted = parked.filter((s) => s.restartNow()).map((s) => s.component);
    this.opts.say(`writes work again: restarting ${restarted.join(', ') || 'nothing (already starting)'}`);
  }
}
