import { fork, type ChildProcess } from 'node:child_process';
import { killTree } from './kill-tree.js';
import { isFromSpawner, toWire, type FromSpawner, type Line } from './spawner-protocol.js';
import type { EndReason, ProcessRunner, RunRequest, RunResult } from './types.js';

export interface SpawnerRunnerOptions {
  /** The spawner's script (spawner-start.ts finds it for the bundle and the tsc build). */
  entry: string;
  /** Node flags for the spawner (a small daemon's, see spawner-start.ts). */
  execArgv?: readonly string[];
  /** With no run in flight for this long the spawner is let go (the next run starts a new one). */
  idleExitMs?: number;
  /** Told when a spawner starts or dies (the worker's log). */
  say?: (message: string) => void;
}

export interface SpawnerRunner extends ProcessRunner {
  readonly kind: 'spawner';
  /** The running spawner's pid, if one runs. */
  spawnerPid(): number | undefined;
  /** Lets the spawner go and waits for it to exit (runs in flight are ended by it). */
  close(): Promise<void>;
  warm(): void;
  /** Whether a spawner runs and has said it is ready (a run now is sent at once). */
  isReady(): boolean;
}

/** Short: a burst of tasks keeps it, and the idle tree is back to two processes soon after (README). */
export const DEFAULT_SPAWNER_IDLE_EXIT_MS = 2000;

interface Pending {
  req: RunRequest;
  started: number;
  resolve: (r: RunResult) => void;
  pid?: number;
  /** A prompt or a spend cap was found: the end command went out, later lines are not tested. */
  verdict: boolean;
  onAbort?: () => void;
}

interface Spawner {
  child: ChildProcess;
  ready: Promise<boolean>;
  isReady: boolean;
  runs: Map<number, Pending>;
}

/**
 * A ProcessRunner that runs each tool in a small long-lived child process (spawner-child.ts), so
 * the worker's own thread never forks: on POSIX a fork from a big process copies its page tables
 * and takes copy-on-write faults, which made the fork half the worker's CPU per task. The
 * RunRequest's functions stay here: onSpawn and onLine are fed from messages; isPrompt and
 * overBudget answer with an end command; an abort is a message. If the spawner dies mid-run, the
 * trees it started are ended here (their pids came with onSpawn) and the run ends 'runner-lost',
 * retried like any crashed attempt; the next run starts a new spawner.
 */
export function createSpawnerRunner(opts: SpawnerRunnerOptions): SpawnerRunner {
  const client = new SpawnerClient(opts);
  return {
    kind: 'spawner',
    run: (req) => client.run(req),
    spawnerPid: () => client.pid(),
    close: () => client.close(),
    warm: () => client.warm(),
    isReady: () => client.isReady(),
  };
}

class SpawnerClient {
  private current: Spawner | undefined;
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly idleExitMs: number;

  constructor(private readonly opts: SpawnerRunnerOptions) {
    this.idleExitMs = opts.idleExitMs ?? DEFAULT_SPAWNER_IDLE_EXIT_MS;
  }

  pid(): number | undefined {
    return this.current?.child.pid;
  }

  isReady(): boolean {
    return this.current?.isReady === true && this.current.child.connected;
  }

  async run(req: RunRequest): Promise<RunResult> {
    const started = Date.now();
    if (req.signal?.aborted) return lostResult({ req, started }, undefined, [], 'aborted');
    this.current ??= this.start();
    const s = this.current;
    const id = this.nextId++;
    const done = new Promise<RunResult>((resolve) => {
      const p: Pending = { req, started, resolve, verdict: false };
      s.runs.set(id, p);
      this.setIdle(s);
      if (req.signal) {
        p.onAbort = () => send(s, { t: 'abort', id });
        req.signal.addEventListener('abort', p.onAbort, { once: true });
      }
    });
    // Sent once the spawner listens (a message before that would be lost); a spawner that died
    // before it was ready has already resolved the run through `lost`.
    if (await s.ready) send(s, { t: 'run', id, req: toWire(req) });
    if (req.signal?.aborted) send(s, { t: 'abort', id });
    return done;
  }

  /** Starts a spawner now (it goes again after idleExitMs if no run comes); never once closed. */
  warm(): void {
    // A hand-over warms after an in-process run has ended (handover-runner.ts), which can be after
    // the worker's stop closed this client: no spawner may be forked then.
    if (this.current !== undefined || this.closed) return;
    this.current = this.start();
    this.setIdle(this.current);
  }

  async close(): Promise<void> {
    this.closed = true;
    const s = this.current;
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    if (!s) return;
    this.current = undefined;
    if (s.child.exitCode !== null || s.child.signalCode !== null) return;
    const exited = new Promise((resolve) => s.child.once('exit', resolve));
    s.child.ref();
    if (s.child.connected) s.child.disconnect();
    await exited;
  }

  private setIdle(s: Spawner): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (s.runs.size > 0) {
      s.child.ref();
      s.child.channel?.ref();
      return;
    }
    // An idle spawner never keeps the worker alive, and goes after a while (the idle tree stays small).
    s.child.unref();
    s.child.channel?.unref();
    this.idleTimer = setTimeout(() => this.letGo(s), this.idleExitMs).unref();
  }

  private letGo(s: Spawner): void {
    if (this.current === s) this.current = undefined;
    if (s.child.connected) s.child.disconnect();
  }

  private start(): Spawner {
    const child = fork(this.opts.entry, [], {
      execArgv: [...(this.opts.execArgv ?? [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // 'advanced' measured no cheaper (spawner CPU per run 17.6-17.8 vs 16.5-18.3 ms, load ~12).
      serialization: 'json',
      windowsHide: true,
    });
    const s: Spawner = { child, runs: new Map(), ready: Promise.resolve(false), isReady: false };
    s.ready = new Promise<boolean>((resolve) => {
      child.on('message', (m: unknown) => {
        if (!isFromSpawner(m)) return;
        if (m.t !== 'ready') return this.onMessage(s, m);
        this.opts.say?.(`spawner ${m.pid} started`);
        s.isReady = true;
        // Its idle time counts from now: a spawner warmed ahead of the runs is kept for them.
        if (this.current === s) this.setIdle(s);
        resolve(true);
      });
      child.once('exit', (code, signal) => {
        resolve(false);
        void this.lost(s, signal ? `was killed (${signal})` : `exited with code ${code ?? '?'}`);
      });
      child.once('error', (err) => {
        this.opts.say?.(`the spawner could not be started: ${String(err)}`);
        resolve(false);
        void this.lost(s, `could not be started (${String(err)})`);
      });
    });
    return s;
  }

  private onMessage(s: Spawner, m: Exclude<FromSpawner, { t: 'ready' }>): void {
    const p = s.runs.get(m.id);
    if (!p) return;
    if (m.t === 'spawn') {
      p.pid = m.pid;
      callSafely(() => p.req.onSpawn?.(m.pid));
    } else if (m.t === 'lines') {
      for (const line of m.lines) this.onLine(s, m.id, p, line);
    } else if (m.t === 'partial') {
      if (!p.verdict && p.req.isPrompt?.(m.text)) end(s, m.id, p, 'blocked-on-input', m.text);
    } else {
      // JSON drops an undefined pid (nothing was spawned); the contract has the key.
      this.finish(s, m.id, p, { ...m.result, pid: m.result.pid ?? undefined });
    }
  }

  private onLine(s: Spawner, id: number, p: Pending, [stream, line]: Line): void {
    callSafely(() => p.req.onLine?.(stream, line));
    if (p.verdict) return;
    if (p.req.isPrompt?.(line)) return end(s, id, p, 'blocked-on-input', line);
    const over = p.req.overBudget?.(stream, line);
    if (over !== undefined) end(s, id, p, 'budget', over);
  }

  private finish(s: Spawner, id: number, p: Pending, result: RunResult): void {
    s.runs.delete(id);
    p.verdict = true;
    if (p.onAbort) p.req.signal?.removeEventListener('abort', p.onAbort);
    p.resolve(result);
    if (this.current === s) this.setIdle(s);
  }

  /** The spawner died: the trees of its runs are ended here and the runs end 'runner-lost'. */
  private async lost(s: Spawner, how: string): Promise<void> {
    if (this.current === s) this.current = undefined;
    // 'error' and 'exit' may both come: the runs are taken once.
    const runs = [...s.runs];
    s.runs.clear();
    if (runs.length === 0) return;
    const spawner = s.child.pid ?? '?';
    this.opts.say?.(`the spawner ${spawner} ${how} with ${runs.length} run(s) in flight`);
    await Promise.all(
      runs.map(async ([id, p]) => {
        const { pid, req } = p;
        const killed =
          pid === undefined ? undefined : await killTree(pid, { graceMs: req.killGraceMs, pgid: pid });
        const error = `the spawner process (pid ${spawner}, which starts tools for the worker) ${how} while ${req.executable} ran; its process tree was ended`;
        this.finish(s, id, p, lostResult(p, error, killed?.survivors ?? []));
      }),
    );
  }
}

function end(s: Spawner, id: number, p: Pending, reason: EndReason, detail: string): void {
  p.verdict = true;
  send(s, { t: 'end', id, reason, detail });
}

function send(s: Spawner, m: object): void {
  // A spawner that just died: its runs are resolved by `lost`.
  if (s.child.connected) s.child.send(m, (err) => void err);
}

function callSafely(f: () => void): void {
  try {
    f();
  } catch {
    // The caller's bookkeeping failing must not stop the reading (as in the in-process runner).
  }
}

function lostResult(
  p: { req: RunRequest; started: number; pid?: number },
  error: string | undefined,
  survivors: number[],
  endReason: EndReason = 'runner-lost',
): RunResult {
  return {
    pid: p.pid,
    exitCode: null,
    signal: null,
    endReason,
    stdout: '',
    stderr: '',
    durationMs: Date.now() - p.started,
    ...(error === undefined ? {} : { error }),
    survivors,
  };
}
