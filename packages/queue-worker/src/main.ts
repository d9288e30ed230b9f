import { layout } from '@headless/core/paths';
import { loadConfig } from '@headless/core/config/load';
import { createDeferredLogger } from '@headless/core/log/deferred-logger';
import { connectSupervisor } from '@headless/core/ipc/client';
import { ExitCode } from '@headless/core/errors/headless-error';
import { recover } from '@headless/recovery/recover';
import { bootMark } from '@headless/core/boot-trace';
import type { EarlySpawner } from '@headless/core/process/early-spawner';
import { runWorker, type WorkerSummary } from './worker.js';

/** How long after `worker.start` winston is loaded and the log files are opened. */
export const LOG_FILES_AFTER_START_MS = 1000;

export interface WorkerProcessOptions {
  root: string;
  console: boolean;
  untilIdle: boolean;
  /** With untilIdle: how long to wait for tasks scheduled later before giving up on them. */
  maxWaitMs?: number;
  /** Connect to the supervisor named in the environment (the forked child does). */
  supervised?: boolean;
  /** The spawner child.ts started before its imports (early-spawner.ts). */
  earlySpawner?: EarlySpawner;
}

/**
 * The worker as a process: config, logs, the supervisor link, signals. `headless worker`,
 * `headless run` and the supervisor's forked child all come through here.
 */
export async function runWorkerProcess(
  opts: WorkerProcessOptions,
): Promise<{ exitCode: number; summary?: WorkerSummary }> {
  const paths = layout(opts.root);
  // The supervisor link connects while the config loads and recovery runs; runWorker awaits it.
  const link = opts.supervised ? connectSupervisor({ component: 'worker' }) : Promise.resolve(null);
  // Awaited below; a refused connection must not count as unhandled before that.
  link.catch(() => undefined);
  const config = await loadConfig(paths);
  bootMark('config');
  // winston and the log files are loaded a moment after `worker.start` (their modules off the boot
  // and off the first claim after it); records are kept until then (an error, or the stop, loads
  // them at once).
  let booted: () => void = () => undefined;
  const openFilesAfter = new Promise<void>(
    (resolve) => (booted = () => void setTimeout(resolve, LOG_FILES_AFTER_START_MS)),
  );
  const logger = createDeferredLogger({
    openFilesAfter,
    layout: paths,
    component: 'worker',
    console: opts.console,
    level: config.policies.logs.level,
    logs: config.policies.logs,
  });
  bootMark('logger');
  const stop = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    logger.info(
      `received ${sig}: stopping (running tasks get ${config.policies.shutdown.graceSec} s to finish)`,
    );
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    const summary = await runWorker({
      root: paths.root,
      tools: config.tools,
      policies: config.policies,
      logger,
      link,
      signal: stop.signal,
      untilIdle: opts.untilIdle,
      onStarted: booted,
      ...(opts.maxWaitMs !== undefined ? { maxWaitMs: opts.maxWaitMs } : {}),
      recover: (root) => recover({ root, policies: config.policies }),
      ...(opts.earlySpawner ? { earlySpawner: opts.earlySpawner } : {}),
    });
    return { exitCode: ExitCode.ok, summary };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    (await link.catch(() => null))?.close();
    await logger.close();
  }
}
