import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { planWindowsSpawn } from '../windows/spawn-plan.js';
import { loadExeca } from './load-execa.js';
import { posixSpawner, type ChildExit } from './posix-spawn.js';
import { containmentFor, createAttemptJob, type AttemptJob, type Containment } from './ownership.js';
import { makeRedactor } from './redact.js';
import { findExecutableOnHost } from '../tool/find-executable.js';
import { TreeWatch } from './tree-watch.js';
export { STREAM_DRAIN_MS } from './tree-watch.js';
import type { EndReason, ProcessRunner, RunRequest, RunResult } from './types.js';

export interface ProcessRunnerOptions {
  platform?: NodeJS.Platform;
  /** Node's spawn even where posix_spawn is used (see RunHooks.nodeSpawn). */
  nodeSpawn?: boolean;
}

/**
 * The one way a tool is started. Never a shell; stdin closed or fed and closed (an open stdin hangs
 * claude -p and codex exec); the environment exactly as given; on POSIX the child leads its own
 * process group so the whole tree can be ended; on Windows no console window.
 */
export function createProcessRunner(opts: ProcessRunnerOptions = {}): ProcessRunner {
  const platform = opts.platform ?? process.platform;
  const hooks: RunHooks = opts.nodeSpawn ? { nodeSpawn: true } : {};
  return { run: (req) => runProcess(req, platform, hooks) };
}

function endedEarly(started: number, endReason: EndReason, error?: string): RunResult {
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

/** For a runner that drives a run from outside (spawner-serve.ts): the run's watch, to end its tree. */
export interface RunHooks {
  onWatch?: (watch: TreeWatch) => void;
  /** Node's spawn (through execa) even where posix_spawn is used (posix-spawn.ts): the tests run both. */
  nodeSpawn?: boolean;
}

/** A started child as the rest of a run needs it, whichever way it was spawned. */
interface StartedChild {
  /** Undefined: the spawn failed, and `settled` says why (`code`, `originalMessage`). */
  pid: number | undefined;
  stdout: Readable;
  stderr: Readable;
  /** The child's own exit, not the end of its pipes (a grandchild may hold those open). */
  exited: Promise<ChildExit>;
  /** Everything about the spawn is over (execa's promise); for a failed spawn, the failure. */
  settled: Promise<unknown>;
}

async function startChild(
  req: RunRequest,
  target: { file: string; args: string[] },
  posix: boolean,
  nodeSpawn: boolean,
): Promise<StartedChild> {
  const fast = posix && !nodeSpawn && posixSpawnable(req, target) ? posixSpawner() : undefined;
  if (fast) {
    const opts = { cwd: req.cwd, env: req.env, ...(req.input === undefined ? {} : { input: req.input }) };
    const c = fast.spawn(target.file, target.args, opts);
    if (!('failed' in c)) return { ...c, settled: c.exited };
    // An executable script without a #! line: Node's spawn (execvp) runs it with /bin/sh, posix_spawn
    // refuses it (ENOEXEC). It goes the way it went before.
    if (c.failed.code !== 'ENOEXEC') return notStarted(c.failed);
  }
  const execa = await loadExeca();
  let subprocess;
  try {
    subprocess = startWithExeca(execa, req, target, posix);
  } catch (err) {
    // execa refuses some arguments before any spawn (a NUL byte): a spawn error, not a crash of the run.
    return notStarted(err);
  }
  const settled = subprocess.then(
    (r) => r,
    (e: unknown) => e,
  );
  const node = subprocess.nodeChildProcess;
  const exited = new Promise<ChildExit>((resolve) => {
    if (node.exitCode !== null || node.signalCode !== null)
      resolve({ code: node.exitCode, signal: node.signalCode });
    node.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { pid: subprocess.pid, stdout: subprocess.stdout, stderr: subprocess.stderr, exited, settled };
}

/**
 * What posix_spawn can take as it is: an absolute path (the run-time check found it), and no NUL byte,
 * which would cut a C string short (Node's spawn refuses it, and so does execa, below).
 */
function posixSpawnable(req: RunRequest, target: { file: string; args: string[] }): boolean {
  if (!path.isAbsolute(target.file)) return false;
  const texts = [target.file, req.cwd, ...target.args, ...Object.entries(req.env).flat()];
  return !texts.some((v) => v.includes('\0'));
}

function notStarted(why: unknown): StartedChild {
  const none = Readable.from([]);
  return {
    pid: undefined,
    stdout: none,
    stderr: none,
    exited: new Promise(() => {}),
    settled: Promise.resolve(why),
  };
}

function startWithExeca(
  execa: Awaited<ReturnType<typeof loadExeca>>,
  req: RunRequest,
  target: { file: string; args: string[] },
  posix: boolean,
) {
  return execa(target.file, target.args, {
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
}

export async function runProcess(
  req: RunRequest,
  platform: NodeJS.Platform,
  hooks: RunHooks = {},
): Promise<RunResult> {
  const started = Date.now();
  if (req.signal?.aborted) return endedEarly(started, 'aborted');
  const pre = prepare(req, platform);
  if ('refused' in pre) return endedEarly(started, pre.refused, pre.error);
  const posix = platform !== 'win32';

  const child = await startChild(req, pre.target, posix, hooks.nodeSpawn === true);
  // Right after the spawn: the tool's children are then born inside the job (see job-object.ts).
  const { containment, attemptJob } = contain(platform, pre.job, child.pid);
  if (child.pid === undefined) return spawnFailure(req, started, pre.file, await child.settled);
  const pid = child.pid;

  const watch = new TreeWatch(req, platform, pid, attemptJob);
  hooks.onWatch?.(watch);
  const output = watch.readOutput(child);
  const exited = child.exited;

  if (req.onSpawn) {
    try {
      req.onSpawn(pid);
    } catch {
      // The caller's bookkeeping failing must not leave the child without an owner; it is still ended below.
    }
  }
  watch.start();
  const exit = await exited;
  watch.childExited();
  const killed = await watch.endLeftovers();
  // A tree kill that had to fall back to taskkill says so; otherwise how the attempt was contained.
  const contained = killed?.method.method === 'taskkill' ? killed.method : containment;
  // Closing the handle ends whatever is left in the job (KILL_ON_JOB_CLOSE).
  attemptJob?.close();
  const tails = await output.drain();
  await child.settled;

  return {
    pid,
    exitCode: exit.code,
    signal: exit.signal,
    endReason: watch.endReason,
    stdout: tails.stdout,
    stderr: tails.stderr,
    durationMs: Date.now() - started,
    ...(watch.endDetail === undefined ? {} : { endDetail: watch.endDetail }),
    survivors: killed?.survivors ?? [],
    containment: contained,
  };
}

type Prepared =
  | { file: string; target: { file: string; args: string[] }; job: AttemptJob | Error | undefined }
  | { refused: EndReason; error: string };

const missingCwd = (cwd: string): string =>
  `working folder ${cwd} does not exist: create it or fix the task's repo`;

/** Everything checked before a spawn: the working folder, the program, a Windows shim's target, the job. */
function prepare(req: RunRequest, platform: NodeJS.Platform): Prepared {
  // spawn reports a missing cwd as ENOENT too, which would read as a missing program.
  if (!isDirectory(req.cwd)) return { refused: 'spawn-error', error: missingCwd(req.cwd) };
  // Looked up on the child's own PATH (not the runner's); never in the repo folder for a bare name.
  // The worker's run-time check has just done that search: its answer is not searched for again.
  const file = req.resolvedExecutable ?? findExecutableOnHost(req.executable, req.env, req.cwd);
  if (file === null) return { refused: 'not-found', error: `${req.executable} not found on PATH` };
  const target = spawnTarget(file, req, platform);
  if ('error' in target) return { refused: 'spawn-error', error: target.error };
  // Windows: the attempt's Job Object, made before the spawn so a failure is known up front.
  const job = platform === 'win32' && process.platform === 'win32' ? createAttemptJob(platform) : undefined;
  return { file, target, job };
}

function contain(
  platform: NodeJS.Platform,
  job: AttemptJob | Error | undefined,
  pid: number | undefined,
): { containment: Containment; attemptJob?: AttemptJob } {
  if (job instanceof Error)
    return { containment: containmentFor(platform, { ok: false, error: job.message }) };
  if (job === undefined) return { containment: containmentFor(platform, undefined) };
  if (pid === undefined) {
    job.close();
    return { containment: containmentFor(platform, undefined) };
  }
  const assigned = job.assign(pid);
  if (assigned.ok) return { containment: containmentFor(platform, assigned), attemptJob: job };
  job.close();
  return { containment: containmentFor(platform, assigned) };
}

/** No pid: why the spawn failed, in words a user can act on. */
function spawnFailure(req: RunRequest, started: number, file: string, outcome: unknown): RunResult {
  const code = (outcome as { code?: string }).code;
  const redact = makeRedactor(req.redact ?? []);
  const message = redact((outcome as { originalMessage?: string }).originalMessage ?? String(outcome));
  // The working folder vanished between the check and the spawn (a repo deleted mid-run).
  if (code === 'ENOENT' && !isDirectory(req.cwd))
    return endedEarly(started, 'spawn-error', missingCwd(req.cwd));
  if (code === 'ENOENT') {
    // Found before yet ENOENT: either it vanished meanwhile or its #! interpreter is missing.
    const error = fs.existsSync(file)
      ? `could not start ${file}: ${message} (is the interpreter named in its first line installed?)`
      : `${req.executable} not found on PATH`;
    return endedEarly(started, 'not-found', error);
  }
  return endedEarly(started, 'spawn-error', `could not start ${file}: ${message}`);
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
