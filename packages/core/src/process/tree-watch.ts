import type { Readable } from 'node:stream';
import {
  groupHasMembers,
  isAlive,
  killTree,
  listDescendants,
  listGroupMembers,
  processStartTime,
  type AttemptJob,
  type KillTreeResult,
} from './ownership.js';
import { LineSplitter } from './line-splitter.js';
import { makeRedactor } from './redact.js';
import { TailBuffer } from './tail-buffer.js';
import { startSleepAwareTimer, type SleepAwareTimer } from '../policy/sleep-aware-deadline.js';
import type { EndReason, RunRequest } from './types.js';

const DEFAULT_MAX_CAPTURE_BYTES = 1024 * 1024;
/**
 * After the main child has exited, how long its stdout/stderr may stay open. A grandchild that
 * escaped the process group (setsid, daemon) can hold the pipe forever; after this the runner stops
 * reading instead of waiting for it.
 */
export const STREAM_DRAIN_MS = 200;

/** What reads a running child's output; `drain` once it has exited. */
export interface OutputReading {
  drain(): Promise<{ stdout: string; stderr: string }>;
}

/**
 * One spawned attempt's watch: its timers (wall clock, idle, an unterminated prompt), its output,
 * the descendants seen while it ran, and the one way its tree is ended (first reason wins).
 */
export class TreeWatch {
  endReason: EndReason = 'exited';
  endDetail: string | undefined;
  private killing: Promise<KillTreeResult> | undefined;
  private exited = false;
  private readonly posix: boolean;
  private readonly redact: (s: string) => string;
  // Descendants seen while the child still ran; after it exits they are orphans, unreachable by
  // parent links. pid -> start time, so a pid reused later by an unrelated process is never signalled.
  private readonly seen = new Map<number, string | undefined>();
  private wall: SleepAwareTimer | undefined;
  private idle: SleepAwareTimer | undefined;
  private partialTimer: NodeJS.Timeout | undefined;
  private sampler: NodeJS.Timeout | undefined;
  private readonly splitters: LineSplitter[] = [];
  // A child that has exited already (a zombie whose 'exit' this process has not seen yet) ends as it
  // decided: the caller may have seen the exit in /proc and take the abort for leftovers only, which
  // endLeftovers ends anyway.
  private readonly onAbort = (): void => {
    if (isAlive(this.pid)) this.endTree('aborted');
  };

  constructor(
    private readonly req: RunRequest,
    private readonly platform: NodeJS.Platform,
    private readonly pid: number,
    private readonly job: AttemptJob | undefined,
  ) {
    this.posix = platform !== 'win32';
    this.redact = makeRedactor(req.redact ?? []);
  }

  private get ending(): boolean {
    return this.killing !== undefined || this.exited;
  }

  private remember(ds: number[]): void {
    for (const d of ds) if (!this.seen.has(d)) this.seen.set(d, processStartTime(d));
  }

  endTree(reason: EndReason, detail?: string): void {
    if (this.killing !== undefined) return;
    this.endReason = reason;
    this.endDetail = detail;
    const { pid, platform } = this;
    this.killing = (async () => {
      if (this.posix) this.remember(await listDescendants(pid, { platform }).catch(() => []));
      return killTree(pid, {
        graceMs: this.req.killGraceMs,
        platform,
        ...(this.posix ? { pgid: pid } : {}),
        ...(this.job ? { job: this.job } : {}),
        known: this.seen,
      });
    })();
  }

  /**
   * Arms the timers once the child is known. They do not count time the machine slept (a laptop
   * suspend, a stopped tree) unless `timeoutCountsSleep` says so: see policy/sleep-aware-deadline.ts.
   */
  start(): void {
    const countsSleep = this.req.timeoutCountsSleep ?? false;
    this.wall = startSleepAwareTimer({
      budgetMs: this.req.timeoutMs,
      countsSleep,
      onExpire: () => this.endTree('timeout'),
    });
    if (this.req.idleTimeoutMs !== undefined) {
      this.idle = startSleepAwareTimer({
        budgetMs: this.req.idleTimeoutMs,
        countsSleep,
        onExpire: () => this.endTree('idle'),
      });
    }
    this.req.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (this.req.signal?.aborted) this.endTree('aborted');
    // Sample the tree now and then so an orphaned grandchild can still be found after the child exits.
    if (this.posix) {
      this.sampler = setInterval(() => {
        void listDescendants(this.pid, { platform: this.platform })
          .then((ds) => this.remember(ds))
          .catch(() => undefined);
      }, 1000);
    }
  }

  childExited(): void {
    this.exited = true;
    this.wall?.stop();
    this.idle?.stop();
    if (this.partialTimer !== undefined) clearTimeout(this.partialTimer);
    if (this.sampler !== undefined) clearInterval(this.sampler);
    this.req.signal?.removeEventListener('abort', this.onAbort);
  }

  /**
   * A finished attempt must not leave processes behind (an agent's MCP servers, a dev server): what
   * is left in the child's group, or seen earlier as its descendant, is ended like a timed-out tree.
   */
  async endLeftovers(): Promise<KillTreeResult | undefined> {
    const { pid, platform } = this;
    const graceMs = this.req.killGraceMs;
    if (this.killing === undefined && this.posix && (await hasLeftovers(pid, this.seen))) {
      this.killing = killTree(pid, { graceMs, platform, pgid: pid, known: this.seen });
    }
    if (this.killing === undefined && this.job && (this.job.livePids() ?? []).length > 0) {
      this.killing = killTree(pid, { graceMs, platform, job: this.job });
    }
    return this.killing === undefined ? undefined : await this.killing;
  }

  /** Reads stdout and stderr by line: tails kept, listeners fed, prompts and budgets watched. */
  readOutput(subprocess: { stdout: Readable; stderr: Readable }): OutputReading {
    const maxCapture = this.req.maxCaptureBytes ?? DEFAULT_MAX_CAPTURE_BYTES;
    const tails = { stdout: new TailBuffer(maxCapture), stderr: new TailBuffer(maxCapture) };
    const closed: Array<Promise<void>> = [];
    const streams: Readable[] = [];
    for (const name of ['stdout', 'stderr'] as const) {
      const stream = subprocess[name];
      const splitter = new LineSplitter((raw) => this.onLine(name, this.redact(raw), tails[name]));
      this.splitters.push(splitter);
      streams.push(stream);
      stream.on('data', (chunk: Buffer | string) => {
        // Output drained after the exit must not restart a timer.
        if (!this.ending) this.idle?.reset();
        splitter.push(chunk);
        this.armPartial();
      });
      closed.push(
        new Promise((resolve) => {
          if (stream.closed || stream.destroyed) resolve();
          stream.once('close', () => resolve());
        }),
      );
    }
    return {
      drain: async () => {
        const drained = await Promise.race([
          Promise.all(closed).then(() => true),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), STREAM_DRAIN_MS).unref()),
        ]);
        if (!drained) for (const s of streams) s.destroy();
        await Promise.all(closed);
        for (const s of this.splitters) s.end();
        return { stdout: tails.stdout.toString(), stderr: tails.stderr.toString() };
      },
    };
  }

  private onLine(name: 'stdout' | 'stderr', line: string, tail: TailBuffer): void {
    tail.push(line);
    if (this.req.onLine) {
      try {
        this.req.onLine(name, line);
      } catch {
        // A failing listener must not stop the reading: an unread pipe blocks the child.
      }
    }
    if (this.ending) return;
    if (this.req.isPrompt?.(line)) return this.endTree('blocked-on-input', line);
    const over = this.req.overBudget?.(name, line);
    if (over !== undefined) this.endTree('budget', over);
  }

  /**
   * A prompt without a newline (`Continue? [y/N] `) never reaches the line callback: once output
   * has stopped for a moment, the unterminated last line is tested too.
   */
  private armPartial(): void {
    if (this.req.isPrompt === undefined || this.ending) return;
    if (this.partialTimer !== undefined) clearTimeout(this.partialTimer);
    this.partialTimer = setTimeout(() => this.checkPartials(), this.req.partialLineMs ?? 1000);
  }

  private checkPartials(): void {
    for (const s of this.splitters) {
      const text = this.redact(s.pending());
      if (text !== '' && this.req.isPrompt?.(text)) return this.endTree('blocked-on-input', text);
    }
  }
}

async function hasLeftovers(pgid: number, seen: ReadonlyMap<number, string | undefined>): Promise<boolean> {
  for (const [p, start] of seen)
    if (isAlive(p) && (start === undefined || processStartTime(p) === start)) return true;
  // One syscall in the common case (nothing left); the table only to tell live members from zombies.
  if (!groupHasMembers(pgid)) return false;
  return (await listGroupMembers(pgid)).length > 0;
}
