import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type winston from 'winston';
import type { ChildEvent, ChildEventPayload, Component, RunningTask } from '@headless/core/ipc/events';
import { onExitSettled, pipeOutput } from './child-output.js';
import { killProcessNow } from '@headless/core/process/ownership';
import { ReportedTools } from './reported-tools.js';
import { sweepOrphanedTools } from '@headless/core/process/task-marker';
import { childExecArgv } from './child-flags.js';
import { workerSnapshotArgs } from './worker-snapshot.js';
import { crashLoopReason, decideRestart, describeExit, freshHistory } from './restart-policy.js';
export { describeExit } from './restart-policy.js';
import { stoppedChild, type ChildStatus } from './state-file.js';
import type { Timing } from './timing.js';
import { monotonicNow } from './watchdog.js';

export interface ChildSlotOptions {
  component: Component;
  /** The script to fork (resolveChildEntry). */
  entry: string;
  root: string;
  /** The child's whole environment, IPC variables included. */
  env: NodeJS.ProcessEnv;
  timing: Timing;
  /** The supervisor's log. */
  log: winston.Logger;
  /**
   * The one-line summary of a task's start and end (the console in the foreground). Not the
   * supervisor's log files: the worker's own log and the ledger have each attempt already, and two
   * more formatted file writes per task cost the supervisor ~2 ms of CPU each task (bench/FINDINGS.md).
   */
  taskLine?: (message: string, meta: Record<string, unknown>) => void;
  /** Each line the child prints. */
  output(stream: 'stdout' | 'stderr', line: string): void;
  /** Runs before every boot (the worker's crash recovery). A failure is logged, the boot goes on. */
  beforeBoot?: () => Promise<void>;
  /** The status changed (the state file is rewritten, throttled). */
  onChange(): void;
  now?: () => number;
  /** The clock heartbeat deadlines run on: monotonic (never moved by a clock change). */
  monoNow?: () => number;
  /** The flags that fork the child from a startup snapshot, or none (default: workerSnapshotArgs). */
  snapshotArgs?: () => string[];
}

const STDERR_TAIL_LINES = 12;

/**
 * One supervised component: forks it, watches its heartbeat, restarts it with backoff after an
 * exit, parks it when it crash-loops, and kills every tool process group it reported when it dies.
 */
export class ChildSlot {
  readonly component: Component;
  readonly status: ChildStatus;
  private readonly reported = new ReportedTools();
  /** Tasks the child reported running, by `id#attempt`: their tool groups are killed when it dies. */
  readonly tasks = this.reported.tasks;
  private child: ChildProcess | undefined;
  private history = freshHistory();
  private startedAtMs = 0;
  private heartbeatDeadline = Infinity;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private boots = 0;
  private stderrTail: string[] = [];
  private exitWaiters: (() => void)[] = [];
  /** The last fork used the startup snapshot; after one that never got ready, no more snapshot forks. */
  private fromSnapshot = false;
  private snapshotOff = false;
  private readonly now: () => number;
  private readonly mono: () => number;

  constructor(private readonly opts: ChildSlotOptions) {
    this.component = opts.component;
    this.now = opts.now ?? Date.now;
    this.mono = opts.monoNow ?? monotonicNow;
    this.status = stoppedChild();
    if (opts.component === 'orchestrator') this.status.loops = {};
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    void this.boot();
  }

  private iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  private async boot(): Promise<void> {
    this.restartTimer = undefined;
    delete this.status.nextRestartAt;
    if (this.stopping) return;
    const { entry, log, component } = this.opts;
    if (!existsSync(entry)) {
      // Not a crash to retry quickly: nothing changes until someone builds the package.
      const reason = `entry ${entry} not found; build it with "npm run build" (or set ${component === 'worker' ? 'HEADLESS_WORKER_ENTRY' : 'HEADLESS_ORCHESTRATOR_ENTRY'})`;
      log.error(
        `${component} cannot start: ${reason}; next try in ${Math.round(this.opts.timing.stormDelayMs / 1000)} s`,
        {
          child: component,
        },
      );
      this.park('crash-looping', this.opts.timing.stormDelayMs, reason);
      return;
    }
    if (this.opts.beforeBoot) {
      try {
        await this.opts.beforeBoot();
      } catch (err) {
        log.error(
          `${component}: the pre-start step failed: ${err instanceof Error ? err.message : String(err)}`,
          {
            child: component,
          },
        );
      }
      if (this.stopping) return;
    }
    this.spawn();
  }

  private spawn(): void {
    const { entry, root, env, component, log } = this.opts;
    const snapshot = this.snapshotOff
      ? []
      : (this.opts.snapshotArgs ?? (() => workerSnapshotArgs(component, entry, env)))();
    this.fromSnapshot = snapshot.length > 0;
    const child = fork(entry, ['--root', root], {
      env,
      execArgv: [...snapshot, ...childExecArgv(component, process.execArgv)],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      windowsHide: true,
    });
    this.child = child;
    this.boots += 1;
    if (this.boots > 1) this.status.restarts += 1;
    this.startedAtMs = this.now();
    // The first deadline starts at fork: a child that never beats counts as stale.
    this.heartbeatDeadline = this.mono() + this.opts.timing.staleAfterMs;
    this.stderrTail = [];
    Object.assign(this.status, {
      pid: child.pid ?? null,
      state: 'starting',
      startedAt: this.iso(this.startedAtMs),
      lastHeartbeatAt: null,
    });
    delete this.status.reason;
    log.info(`${component} started (pid ${child.pid ?? '?'})`, { child: component, pid: child.pid });
    this.opts.onChange();

    pipeOutput(
      child,
      (stream, line) => this.opts.output(stream, line),
      (line) => {
        this.stderrTail.push(line);
        if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
      },
    );
    child.on('error', (e) => log.error(`${component}: ${e.message}`, { child: component }));
    onExitSettled(child, (code, signal) => void this.onExit(child, code, signal));
  }

  private park(state: 'backoff' | 'crash-looping', delayMs: number, reason?: string): void {
    this.status.state = state;
    this.status.nextRestartAt = this.iso(this.now() + delayMs);
    if (reason) this.status.reason = reason;
    else delete this.status.reason;
    this.restartTimer = setTimeout(() => void this.boot(), delayMs);
    this.opts.onChange();
  }

  private async onExit(
    child: ChildProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): Promise<void> {
    if (child !== this.child) return;
    this.child = undefined;
    this.heartbeatDeadline = Infinity;
    if (this.fromSnapshot && this.status.state === 'starting' && !this.stopping)
      this.leaveSnapshot(code, signal);
    const at = this.now();
    this.status.pid = null;
    this.status.lastExit = { code, signal, at: this.iso(at) };
    // No orphans: whatever the child ran dies with it, before recovery looks at the tasks; tools it
    // started but had not reported yet are found by the marker they inherit.
    await this.killReportedTasks();
    // The marker sweep runs while the next child boots (it was half of kill -> re-fork): it ends only
    // marked processes whose owner is dead, and a new child's tools carry the new child's live pid.
    // Exit waiters (a stop) still wait for it.
    const swept = this.sweepOrphans();
    const { log, component, timing } = this.opts;
    if (this.stopping) {
      await swept;
      this.releaseExitWaiters();
      this.status.state = 'stopped';
      log.info(`${component} stopped (${describeExit(code, signal)})`, { child: component, code, signal });
      this.opts.onChange();
      return;
    }
    const decision = decideRestart(this.history, { startedAt: this.startedAtMs, exitedAt: at }, timing);
    this.history = decision.history;
    if (decision.kind === 'crash-looping') {
      const reason = crashLoopReason(
        decision.exitsInWindow,
        timing.stormWindowMs,
        describeExit(code, signal),
        this.stderrTail,
      );
      log.error(
        `${component} is crash-looping: ${reason}; next try in ${Math.round(decision.delayMs / 1000)} s`,
        {
          child: component,
          code,
          signal,
        },
      );
      this.park('crash-looping', decision.delayMs, reason);
      await swept;
      this.releaseExitWaiters();
      return;
    }
    log.warn(`${component} exited (${describeExit(code, signal)}); restarting in ${decision.delayMs} ms`, {
      child: component,
      code,
      signal,
    });
    this.park('backoff', decision.delayMs);
    await swept;
    this.releaseExitWaiters();
  }

  /**
   * A child forked from its startup snapshot that exits before it is ready may not be able to use it
   * (a blob damaged on disk aborts Node; one made on a CPU with other features is refused): the next
   * forks go the plain way, and the log says so once. Another boot failure costs only the snapshot's speed.
   */
  private leaveSnapshot(code: number | null, signal: NodeJS.Signals | null): void {
    this.snapshotOff = true;
    this.opts.log.warn(
      `${this.component} exited before it was ready (${describeExit(code, signal)}) when forked from its startup snapshot (dist/worker.blob); it is forked without it from now on (npm run build makes a new one)`,
      { child: this.component },
    );
  }

  private releaseExitWaiters(): void {
    const waiters = this.exitWaiters;
    this.exitWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async sweepOrphans(): Promise<void> {
    const swept = await sweepOrphanedTools(this.opts.root).catch(() => ({ killed: [] }));
    if (swept.killed.length > 0) {
      this.opts.log.warn(
        `${this.component}: ended unreported tool processes it left: ${swept.killed.map((k) => `${k.pid} (${k.task})`).join(', ')}`,
        { child: this.component },
      );
    }
  }

  private track(task: RunningTask): void {
    const refused = this.reported.track(task, this.child?.pid);
    if (refused)
      this.opts.log.warn(`${this.component} ${refused}; not tracked`, {
        child: this.component,
        taskId: task.id,
      });
  }

  private async killReportedTasks(): Promise<void> {
    const pids = await this.reported.killAll();
    if (pids.length > 0) {
      this.opts.log.warn(`${this.component}: killed the tool process groups it left: ${pids.join(', ')}`, {
        child: this.component,
        pids,
      });
    }
  }

  /** A parked child (backoff, crash-looping) boots now: what it failed on has passed (the disk has room again). */
  restartNow(): boolean {
    if (this.stopping || this.child || !this.restartTimer) return false;
    clearTimeout(this.restartTimer);
    void this.boot();
    return true;
  }

  /**
   * After the supervisor itself could not run (a sleep, a stop of the tree), no heartbeat age means
   * anything: the child gets a whole staleAfter from now before it is judged again.
   */
  grantFreshDeadline(): void {
    if (this.child) this.heartbeatDeadline = this.mono() + this.opts.timing.staleAfterMs;
  }

  /** Kills the child and its tools when its heartbeat is overdue. Returns true when it did. */
  checkHeartbeat(): boolean {
    const child = this.child;
    if (!child || this.stopping || this.mono() <= this.heartbeatDeadline) return false;
    const silentMs = this.mono() - (this.heartbeatDeadline - this.opts.timing.staleAfterMs);
    this.heartbeatDeadline = Infinity;
    const reason = `no heartbeat for ${(silentMs / 1000).toFixed(1)} s (limit ${this.opts.timing.staleAfterMs / 1000} s)`;
    this.status.reason = reason;
    this.opts.log.warn(
      `${this.component} (pid ${child.pid ?? '?'}) is unresponsive: ${reason}; killing it and its tools`,
      {
        child: this.component,
      },
    );
    if (child.pid) void killProcessNow(child.pid);
    return true;
  }

  handle<E extends ChildEvent>(event: E, payload: ChildEventPayload[E]): void {
    const p = payload;
    switch (event) {
      case 'ready': {
        if (this.status.state === 'starting') this.status.state = 'running';
        break;
      }
      case 'heartbeat': {
        const beat = p as ChildEventPayload['heartbeat'];
        if (this.child && beat.pid !== this.child.pid) return;
        this.heartbeatDeadline = this.mono() + this.opts.timing.staleAfterMs;
        this.status.lastHeartbeatAt = this.iso(this.now());
        if (this.status.state === 'starting') this.status.state = 'running';
        // A union, not a replacement: only task-finished forgets a tool pid (a forgotten pid could be an orphan).
        for (const task of beat.running) this.track(task);
        break;
      }
      case 'task-started': {
        const t = p as ChildEventPayload['task-started'];
        this.track(t);
        // The console summary in the foreground: one line when a task starts and one when it ends.
        this.opts.taskLine?.(`${t.id}: attempt ${t.attempt} started (${t.tool}, pid ${t.pid})`, {
          child: this.component,
          taskId: t.id,
        });
        break;
      }
      case 'task-finished': {
        const t = p as ChildEventPayload['task-finished'];
        this.reported.forget(t.id, t.attempt);
        this.opts.taskLine?.(`${t.id}: attempt ${t.attempt} -> ${t.outcome}`, {
          child: this.component,
          taskId: t.id,
        });
        break;
      }
      case 'loop-result': {
        const r = p as ChildEventPayload['loop-result'];
        this.status.loops = { ...this.status.loops, [r.loop]: r };
        break;
      }
      case 'log': {
        const l = p as ChildEventPayload['log'];
        this.opts.log.log(l.level, `${this.component}: ${l.message}`, { ...l.meta, child: this.component });
        return;
      }
      default:
        return;
    }
    this.opts.onChange();
  }

  /**
   * Stops the child: asks politely (`askToStop`, e.g. the IPC shutdown; SIGTERM when that is not
   * possible), waits up to graceMs, then kills it and its tool groups.
   */
  async stop(graceMs: number, askToStop: () => boolean): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    delete this.status.nextRestartAt;
    const child = this.child;
    if (!child) {
      await this.killReportedTasks();
      this.status.state = 'stopped';
      this.opts.onChange();
      return;
    }
    if (!askToStop()) child.kill('SIGTERM');
    if (await this.waitExit(graceMs)) return;
    this.opts.log.warn(`${this.component} did not stop within ${graceMs} ms; killing it and its tools`, {
      child: this.component,
    });
    if (child.pid) await killProcessNow(child.pid);
    await this.killReportedTasks();
    await this.waitExit(2000);
  }

  private waitExit(ms: number): Promise<boolean> {
    if (!this.child) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.exitWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
