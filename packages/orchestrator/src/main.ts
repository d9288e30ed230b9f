import fs from 'node:fs';
import { connectSupervisor, type SupervisorLink } from '@headless/core/ipc/client';
import { ExitCode, reportFailure } from '@headless/core/errors/headless-error';
import { layout, resolveRoot } from '@headless/core/paths';
import { runOrchestrator } from './orchestrator.js';

/** Grace before a forced exit when no shutdown request says otherwise (signals, a lost supervisor). */
const DEFAULT_GRACE_MS = 10000;
const STOP_FILE_POLL_MS = 1000;

/** The value of `--root <dir>` or `--root=<dir>`, if given. */
export function parseRootArg(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--root') return argv[i + 1];
    if (a?.startsWith('--root=')) return a.slice('--root='.length);
  }
  return undefined;
}

const report = (err: unknown): number => reportFailure('orchestrator', err);

/**
 * Forces the exit if stopping takes longer than the grace: steps are killed with a shorter grace
 * of their own, so this only fires when something is truly stuck.
 */
function exitAfter(ms: number, code: number): NodeJS.Timeout {
  const timer = setTimeout(() => {
    process.stderr.write(`orchestrator: did not stop within ${ms} ms; exiting\n`);
    process.exit(code);
  }, ms);
  timer.unref();
  return timer;
}

/**
 * The supervised child (dist/child.js): connects to the supervisor, runs the loops until a shutdown
 * request, a lost supervisor, or SIGTERM/SIGINT, and resolves with the exit code.
 */
export async function runSupervisedChild(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const root = resolveRoot(parseRootArg(argv), env);
  const controller = new AbortController();
  let exitCode: number = ExitCode.ok;
  let link: SupervisorLink | null = null;
  let deadline: NodeJS.Timeout | undefined;
  const stop = (reason: string, graceMs: number, code: number): void => {
    if (controller.signal.aborted) return;
    exitCode = code;
    controller.abort(new Error(reason));
    deadline = exitAfter(graceMs, code);
  };
  const onSignal = (sig: NodeJS.Signals): void => stop(`received ${sig}`, DEFAULT_GRACE_MS, ExitCode.ok);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    link = await connectSupervisor({ component: 'orchestrator', env });
    link?.onShutdown(({ graceMs, reason }) =>
      stop(`shutdown: ${reason}`, Math.max(1000, graceMs), ExitCode.ok),
    );
    // Nobody would ever stop the steps otherwise: end them and leave.
    link?.onLost(() => stop('supervisor lost', DEFAULT_GRACE_MS, ExitCode.failure));
    await runOrchestrator({ root, signal: controller.signal, link });
    return exitCode;
  } catch (err) {
    controller.abort();
    return report(err);
  } finally {
    clearTimeout(deadline);
    link?.close();
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

export interface ForegroundOptions {
  /** The root (else HEADLESS_ROOT, else the current folder). */
  root?: string;
  /** Stops the run besides SIGINT/SIGTERM and the STOP.HEADLESS file. */
  signal?: AbortSignal;
  /** Print log records on the console too (default true). */
  console?: boolean;
}

/**
 * Runs the orchestrator alone in the foreground (for a `headless orchestrator` command): until
 * Ctrl-C, SIGTERM, the optional signal, or a STOP.HEADLESS file in the root. Resolves with the exit
 * code: 0 after a clean stop, 2 for a bad config, 1 otherwise.
 */
export async function runOrchestratorForeground(opts: ForegroundOptions = {}): Promise<number> {
  const root = resolveRoot(opts.root);
  const stopFile = layout(root).stopFile;
  if (fs.existsSync(stopFile)) {
    process.stderr.write(`orchestrator: ${stopFile} exists; remove it to run the loops\n`);
    return ExitCode.ok;
  }
  const controller = new AbortController();
  let deadline: NodeJS.Timeout | undefined;
  const stop = (reason: string): void => {
    if (controller.signal.aborted) return;
    controller.abort(new Error(reason));
    deadline = exitAfter(DEFAULT_GRACE_MS, ExitCode.failure);
  };
  const onSignal = (sig: NodeJS.Signals): void => stop(`received ${sig}`);
  const onOuterAbort = (): void => stop('stopped by the caller');
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (opts.signal?.aborted) onOuterAbort();
  const poll = setInterval(() => {
    if (fs.existsSync(stopFile)) stop('STOP.HEADLESS appeared');
  }, STOP_FILE_POLL_MS);
  try {
    await runOrchestrator({ root, signal: controller.signal, console: opts.console ?? true });
    return ExitCode.ok;
  } catch (err) {
    controller.abort();
    return report(err);
  } finally {
    clearTimeout(deadline);
    clearInterval(poll);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
}
