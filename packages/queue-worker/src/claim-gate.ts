import path from 'node:path';
import * as z from 'zod/mini';
import { CLAIM_GATE_FILE } from '@headless/core/paths';
import { systemClock, type Clock } from '@headless/core/clock';
import { judgeDisk, readFreeSpace, type DiskReading } from '@headless/core/disk/disk-guard';
import { PaddedStateFile, readPaddedStateFile } from '@headless/core/disk/padded-file';
import { diskFaultCode, probeWritable, WriteFaultWatch } from '@headless/core/fs/disk-fault';
import type { LedgerRecord } from '@headless/core/ledger/record';
import type { WorkerLogger } from './logger.js';

/** `.tasks/run/claim-gate.json`: whether the worker claims tasks, and if not why; `headless status` shows it. */
const ClaimGateSchema = z.object({
  pid: z.number().check(z.int()),
  paused: z.boolean(),
  /** Every reason claiming is paused, e.g. `low disk: 312 MB free on /home, need 500 (...)`. */
  reasons: z.array(z.string()),
  since: z.optional(z.string()),
  checkedAt: z.string(),
  freeMb: z.optional(z.number()),
  minFreeMb: z.number(),
});
export type ClaimGateState = z.infer<typeof ClaimGateSchema>;

export const claimGateFile = (runDir: string): string => path.join(runDir, CLAIM_GATE_FILE);
export const readClaimGate = (runDir: string): Promise<ClaimGateState | undefined> =>
  readPaddedStateFile(claimGateFile(runDir), ClaimGateSchema);

export interface ClaimGateOptions {
  /** `.tasks/run`: the state file, and where write probes go. */
  runDir: string;
  /** The folder whose volume is checked (the root). */
  diskDir: string;
  ledger: { append(rec: Omit<LedgerRecord, 'v' | 'ts'>): Promise<void> };
  log: WorkerLogger;
  /** policies.disk.minFreeMb, read live (a lowered limit takes effect without a restart). */
  minFreeMb: () => number | Promise<number>;
  checkIntervalMs: number;
  /** Called when claiming may resume (wake the worker's loop). */
  onResume?: () => void;
  clock?: Clock;
  readFree?: (dir: string) => Promise<DiskReading>;
  probe?: (dir: string) => { ok: boolean };
  probeBaseMs?: number;
}

/** A reading of free space is reused for this long before a claim asks again. */
const FRESH_MS = 1000;

/**
 * Decides whether the worker may claim a task now: not while the root's volume has less than
 * `disk.minFreeMb` free, and not while writes fail (a writer reported ENOSPC/EROFS/EACCES/EIO, until
 * a probe write works). Running tasks are never touched. Each pause and resume is said once: in the
 * log, the ledger (`worker.paused` / `worker.resumed` with the reason) and the state file.
 */
export class ClaimGate {
  private diskReason: string | undefined;
  private writeReason: string | undefined;
  private since: number | undefined;
  private lastCheck = -Infinity;
  private freeMb: number | undefined;
  private minMb = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly clock: Clock;
  private readonly stateFile: PaddedStateFile;
  private readonly watch: WriteFaultWatch;
  private readonly writableWaiters: (() => void)[] = [];

  constructor(private readonly opts: ClaimGateOptions) {
    this.clock = opts.clock ?? systemClock;
    this.stateFile = new PaddedStateFile(claimGateFile(opts.runDir));
    this.watch = new WriteFaultWatch({
      dir: opts.runDir,
      what: `files under ${path.dirname(opts.runDir)}`,
      say: (m) => opts.log.warn(m),
      probe: opts.probe ?? probeWritable,
      ...(opts.probeBaseMs !== undefined ? { baseMs: opts.probeBaseMs } : {}),
      onRecovered: () => {
        this.writeReason = undefined;
        for (const resolve of this.writableWaiters.splice(0)) resolve();
        void this.changed();
      },
    });
  }

  /** Every reason claiming is paused now (empty: claim). */
  get reasons(): string[] {
    return [this.diskReason, this.writeReason].filter((r): r is string => r !== undefined);
  }

  async start(): Promise<void> {
    await this.checkDisk();
    this.timer = setInterval(() => void this.checkDisk(), this.opts.checkIntervalMs);
    this.timer.unref();
  }

  /** Call before each claim: true when the worker may claim a task now. */
  async mayClaim(): Promise<boolean> {
    if (this.clock.now() - this.lastCheck >= FRESH_MS) await this.checkDisk();
    return this.reasons.length === 0;
  }

  /**
   * Tells the gate a write failed. A disk fault pauses claiming until a probe write works; the
   * return value says whether it was one (other errors are the caller's to handle).
   */
  reportWriteFault(err: unknown): boolean {
    const code = diskFaultCode(err);
    if (!code) return false;
    if (this.writeReason === undefined) {
      this.writeReason = `writes fail (${code}: ${err instanceof Error ? err.message : String(err)})`;
      void this.changed();
    }
    this.watch.fault(err);
    return true;
  }

  /**
   * Resolves once no write fault is pending (at once when none is): a caller whose bookkeeping write
   * failed (the task's record could not be moved back to the queue) waits here and writes again,
   * so no task stays in processing under a live worker.
   */
  whenWritable(): Promise<void> {
    if (this.writeReason === undefined) return Promise.resolve();
    return new Promise((resolve) => this.writableWaiters.push(resolve));
  }

  private async checkDisk(): Promise<void> {
    this.lastCheck = this.clock.now();
    let verdict;
    try {
      const [reading, minFreeMb] = await Promise.all([
        (this.opts.readFree ?? readFreeSpace)(this.opts.diskDir),
        this.opts.minFreeMb(),
      ]);
      this.minMb = minFreeMb;
      verdict = judgeDisk({ ...reading, minFreeMb });
    } catch (err) {
      // Free space unknown (statfs unsupported): the guard cannot judge, so it does not block.
      this.opts.log.debug(`free space check failed: ${String(err)}`);
      return;
    }
    this.freeMb = verdict.freeMb;
    const reason = verdict.ok ? undefined : verdict.reason;
    const flipped = (reason === undefined) !== (this.diskReason === undefined);
    this.diskReason = reason;
    // The numbers in the reason change at every check: only a pause or a resume is news.
    if (flipped) await this.changed();
    else await this.stateFile.write(this.snapshot());
  }

  private async changed(): Promise<void> {
    const reasons = this.reasons;
    const now = this.clock.now();
    const wasPaused = this.since !== undefined;
    if (reasons.length && !wasPaused) this.since = now;
    if (!reasons.length) this.since = undefined;
    const reason = reasons.join('; ');
    // Not awaited: while writes fail the ledger holds records until the disk takes them again.
    if (reasons.length) {
      this.opts.log.warn(`not claiming tasks: ${reason}; running tasks go on`);
      this.opts.ledger
        .append({ event: 'worker.paused', workerPid: process.pid, reason })
        .catch(() => undefined);
    } else if (wasPaused) {
      this.opts.log.info('claiming tasks again');
      this.opts.ledger
        .append({ event: 'worker.resumed', workerPid: process.pid, reason: 'disk has room and takes writes' })
        .catch(() => undefined);
      this.opts.onResume?.();
    }
    await this.stateFile.write(this.snapshot());
  }

  snapshot(): ClaimGateState {
    return {
      pid: process.pid,
      paused: this.reasons.length > 0,
      reasons: this.reasons,
      ...(this.since !== undefined ? { since: new Date(this.since).toISOString() } : {}),
      checkedAt: new Date(this.lastCheck === -Infinity ? this.clock.now() : this.lastCheck).toISOString(),
      ...(this.freeMb !== undefined ? { freeMb: this.freeMb } : {}),
      minFreeMb: this.minMb,
    };
  }

  async stop(): Promise<void> {
    for (const resolve of this.writableWaiters.splice(0)) resolve();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.watch.dispose();
    await this.stateFile.close();
  }
}
