import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { planWindowsSpawn } from '../windows/spawn-plan.js';
import {
  containmentFor,
  createAttemptJob,
  groupHasMembers,
  isAlive,
  killTree,
  listDescendants,
  listGroupMembers,
  processStartTime,
  type AttemptJob,
  type Containment,
  type KillTreeResult,
} from './ownership.js';
import { LineSplitter } from './line-splitter.js';
import { makeRedactor } from './redact.js';
import { findExecutableOnHost } from '../tool/find-executable.js';
import { TailBuffer } from './tail-buffer.js';
import type { EndReason, ProcessRunner, RunRequest, RunResult } from './types.js';

const DEFAULT_MAX_CAPTURE_BYTES = 1024 * 1024;
/**
 * After the main child has exited, how long its stdout/stderr may stay open. A grandchild that
 * escaped the process group (setsid, daemon) can hold the pipe forever; after this the runner stops
 * reading instead of waiting for it.
 */
export const STREAM_DRAIN_MS = 200;

export interface ProcessRunnerOptions {
  platform?: NodeJS.Platform;
}

/**
 * The one way a tool is started. Never a shell; stdin closed or fed and closed (an open stdin hangs
 * claude -p and codex exec); the environment exactly as given; on POSIX the child leads its own
 * process group so the whole tree can be ended; on Windows no console window.
 */
export function createProcessRunner(opts: ProcessRunnerOptions = {}): ProcessRunner {
  const platform = opts.platform ?? process.platform;
  return { run: (req) => runProcess(req, platform) };
}

function endedEarly(req: RunRequest, started: number, endReason: EndReason, error?: string): RunResult {
  return {
    pid: undefined,
    exitCode: null,
    signal: null,
    endReason,
    stdout: '',
    stderr: '',
    durationMs: Date.now() - started,
    ...(error === undefined ? {} : { error }),
    survivors: [],
  };
}

/** What to spawn: on Windows a shim's target instead of the shim, or a refusal (see spawn-plan.ts). */
function spawnTarget(
  file: string,
  req: RunRequest,
  platform: NodeJS.Platform,
): { file: string; args: string[] } | { error: string } {
  if (platform !== 'win32') return { file, args: [...req.args] };
  // Read at every spawn (a ~500-byte file): a shim rewritten by `npm i -g` is followed at once.
  const plan = planWindowsSpawn(file, req.args, {
    readText: (f) => {
      try {
        return fs.readFileSync(f, 'utf8');
      } catch {
        return undefined;
      }
    },
    execPath: process.execPath,
    env: req.env,
  });
  return plan.kind === 'refused' ? { error: plan.error } : { file: plan.file, args: plan.args };
}

async function runProcess(req: RunRequest, platform: NodeJS.Platform): Promise<RunResult> {
  const started = Date.now();
  const posix = platform !== 'win32';
  if (req.signal?.aborted) return endedEarly(req, started, 'aborted');

  // spawn reports a missing cwd as ENOENT too, which would read as a missing program.
  if (!isDirectory(req.cwd)) {
    return endedEarly(
      req,
      started,
      'spawn-error',
      `working folder ${req.cwd} does not exist: create it or fix the task's repo`,
    );
  }
  // Looked up on the child's own PATH (not the runner's); never in the repo folder for a bare name.
  const file = findExecutableOnHost(req.executable, req.env, req.cwd);
  if (file === null) return endedEarly(req, started, 'not-found', `${req.executable} not found on PATH`);

  const redact = makeRedactor(req.redact ?? []);
  const maxCapture = req.maxCaptureBytes ?? DEFAULT_MAX_CAPTURE_BYTES;

  const target = spawnTarget(file, req, platform);
  if ('error' in target) return endedEarly(req, started, 'spawn-error', target.error);
  // Windows: the attempt's Job Object, made before the spawn so a failure is known up front.
  const job: AttemptJob | Error | undefined =
    !posix && process.platform === 'win32' ? createAttemptJob(platform) : undefined;

  const subprocess = execa(target.file, target.args, {
    cwd: req.cwd,
    env: { ...req.env },
    extendEnv: false,
    shell: false,
    windowsHide: true,
    detached: posix,
    ...(req.input === undefined ? { stdin: 'ignore' as const } : { input: req.input }),
    stdout: 'pipe',
    stderr: 'pipe',
    // Output is streamed and tailed here; execa must not keep a copy of a tool printing hundreds of MB.
    buffer: false,
    reject: false,
    // This runner owns termination (tree kill with grace); execa's own would only reach the child.
    forceKillAfterDelay: false,
    stripFinalNewline: false,
  });
  const settled = subprocess.then(
    (r) => r,
    (e: unknown) => e,
  );

  const pid = subprocess.pid;
  // Right after the spawn: the tool's children are then born inside the job (see job-object.ts).
  let containment: Containment = containmentFor(platform, undefined);
  let attemptJob: AttemptJob | undefined;
  if (job instanceof Error) containment = containmentFor(platform, { ok: false, error: job.message });
  else if (job !== undefined && pid !== undefined) {
    const assigned = job.assign(pid);
    containment = containmentFor(platform, assigned);
    if (assigned.ok) attemptJob = job;
    else job.close();
  }
  if (pid === undefined) {
    if (job !== undefined && !(job instanceof Error)) job.close();
    const outcome = await settled;
    const code = (outcome as { code?: string }).code;
    const message = redact((outcome as { originalMessage?: string }).originalMessage ?? String(outcome));
    if (code === 'ENOENT' && !isDirectory(req.cwd)) {
      // The working folder vanished between the check above and the spawn (a repo deleted mid-run).
      return endedEarly(
        req,
        started,
        'spawn-error',
        `working folder ${req.cwd} does not exist: create it or fix the task's repo`,
      );
    }
    if (code === 'ENOENT') {
      // Found above yet ENOENT: either it vanished meanwhile or its #! interpreter is missing.
      const error = fs.existsSync(file)
        ? `could not start ${file}: ${message} (is the interpreter named in its first line installed?)`
        : `${req.executable} not found on PATH`;
      return endedEarly(req, started, 'not-found', error);
    }
    return endedEarly(req, started, 'spawn-error', `could not start ${file}: ${message}`);
  }

  let endReason: EndReason = 'exited';
  let endDetail: string | undefined;
  let killing: Promise<KillTreeResult> | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  // Descendants seen while the child still ran; after it exits they are orphans, unreachable by parent links.
  // pid -> start time, so a pid reused later by an unrelated process is never signalled.
  const seen = new Map<number, string | undefined>();
  const remember = (ds: number[]): void => {
    for (const d of ds) if (!seen.has(d)) seen.set(d, processStartTime(d));
  };

  const endTree = (reason: EndReason, detail?: string): void => {
    if (killing !== undefined) return;
    endReason = reason;
    endDetail = detail;
    killing = (async () => {
      if (posix) remember(await listDescendants(pid, { platform }).catch(() => []));
      return killTree(pid, {
        graceMs: req.killGraceMs,
        platform,
        ...(posix ? { pgid: pid } : {}),
        ...(attemptJob ? { job: attemptJob } : {}),
        known: seen,
      });
    })();
  };

  let childExited = false;
  const resetIdle = (): void => {
    // Output drained after the exit must not arm a new timer: it would hold the event loop open.
    if (req.idleTimeoutMs === undefined || killing !== undefined || childExited) return;
    if (idleTimer !== undefined) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => endTree('idle'), req.idleTimeoutMs);
  };

  const tails = { stdout: new TailBuffer(maxCapture), stderr: new TailBuffer(maxCapture) };
  const splitters: LineSplitter[] = [];
  // A prompt without a newline (`Continue? [y/N] `) never reaches the line callback: once output
  // has stopped for a moment, the unterminated last line is tested too.
  let partialTimer: NodeJS.Timeout | undefined;
  const checkPartials = (): void => {
    for (const s of splitters) {
      const text = redact(s.pending());
      if (text !== '' && req.isPrompt?.(text)) return endTree('blocked-on-input', text);
    }
  };
  const armPartial = (): void => {
    if (req.isPrompt === undefined || killing !== undefined || childExited) return;
    if (partialTimer !== undefined) clearTimeout(partialTimer);
    partialTimer = setTimeout(checkPartials, req.partialLineMs ?? 1000);
  };
  const streamsClosed: Array<Promise<void>> = [];
  const streams: Readable[] = [];
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = subprocess[name];
    const splitter = new LineSplitter((raw) => {
      const line = redact(raw);
      tails[name].push(line);
      if (req.onLine) {
        try {
          req.onLine(name, line);
        } catch {
          // A failing listener must not stop the reading: an unread pipe blocks the child.
        }
      }
      if (killing !== undefined || childExited) return;
      if (req.isPrompt?.(line)) return endTree('blocked-on-input', line);
      const over = req.overBudget?.(name, line);
      if (over !== undefined) endTree('budget', over);
    });
    splitters.push(splitter);
    streams.push(stream);
    stream.on('data', (chunk: Buffer | string) => {
      resetIdle();
      splitter.push(chunk);
      armPartial();
    });
    streamsClosed.push(
      new Promise((resolve) => {
        if (stream.closed || stream.destroyed) resolve();
        stream.once('close', () => resolve());
      }),
    );
  }

  // The child's own 'exit', not execa's promise: that also waits for pipes a grandchild may hold open.
  const child = subprocess.nodeChildProcess;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  if (req.onSpawn) {
    try {
      req.onSpawn(pid);
    } catch {
      // The caller's bookkeeping failing must not leave the child without an owner; it is still ended below.
    }
  }

  const wallTimer = setTimeout(() => endTree('timeout'), req.timeoutMs);
  resetIdle();
  const onAbort = (): void => endTree('aborted');
  req.signal?.addEventListener('abort', onAbort, { once: true });
  // Sample the tree now and then so an orphaned grandchild can still be found after the child exits.
  const sampler = posix
    ? setInterval(() => {
        void listDescendants(pid, { platform })
          .then(remember)
          .catch(() => undefined);
      }, 1000)
    : undefined;

  const exit = await exited;
  childExited = true;
  clearTimeout(wallTimer);
  if (idleTimer !== undefined) clearTimeout(idleTimer);
  if (partialTimer !== undefined) clearTimeout(partialTimer);
  if (sampler !== undefined) clearInterval(sampler);
  req.signal?.removeEventListener('abort', onAbort);

  // A finished attempt must not leave processes behind (an agent's MCP servers, a dev server): what is
  // left in the child's group, or seen earlier as its descendant, is ended like a timed-out tree.
  if (killing === undefined && posix && (await hasLeftovers(pid, seen))) {
    killing = killTree(pid, { graceMs: req.killGraceMs, platform, pgid: pid, known: seen });
  }
  if (killing === undefined && attemptJob && (attemptJob.livePids() ?? []).length > 0) {
    killing = killTree(pid, { graceMs: req.killGraceMs, platform, job: attemptJob });
  }
  const killed = killing === undefined ? undefined : await killing;
  const survivors = killed?.survivors ?? [];
  // A tree kill that had to fall back to taskkill says so; otherwise how the attempt was contained.
  if (killed?.method.method === 'taskkill') containment = killed.method;
  // Closing the handle ends whatever is left in the job (KILL_ON_JOB_CLOSE).
  attemptJob?.close();

  const drained = await Promise.race([
    Promise.all(streamsClosed).then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), STREAM_DRAIN_MS).unref()),
  ]);
  if (!drained) for (const s of streams) s.destroy();
  await Promise.all(streamsClosed);
  for (const s of splitters) s.end();
  await settled;

  return {
    pid,
    exitCode: exit.code,
    signal: exit.signal,
    endReason,
    stdout: tails.stdout.toString(),
    stderr: tails.stderr.toString(),
    durationMs: Date.now() - started,
    ...(endDetail === undefined ? {} : { endDetail }),
    survivors,
    containment,
  };
}

async function hasLeftovers(pgid: number, seen: ReadonlyMap<number, string | undefined>): Promise<boolean> {
  for (const [p, start] of seen)
    if (isAlive(p) && (start === undefined || processStartTime(p) === start)) return true;
  // One syscall in the common case (nothing left); the table only to tell live members from zombies.
  if (!groupHasMembers(pgid)) return false;
  return (await listGroupMembers(pgid)).length > 0;
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
