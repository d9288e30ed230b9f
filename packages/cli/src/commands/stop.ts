import type { Command } from 'commander';
import { ExitCode } from '@headless/core/errors/headless-error';
import { loadConfig } from '@headless/core/config/load';
import { FolderStore } from '@headless/core/queue/folder-store';
import { drainFile } from '@headless/core/run-state/heartbeat';
import { liveWorker } from '@headless/core/run-state/worker-lock';
import type { RootLayout } from '@headless/core/paths';
import { rootPaths } from '../context.js';
import { parsePositiveSeconds } from '../options.js';

export function register(program: Command): void {
  program
    .command('stop')
    .description('stop the supervisor of the root and everything it runs (writes STOP.HEADLESS and waits)')
    .option('--timeout <s>', 'seconds to wait for it to exit (default: policies.shutdown.graceSec + 5)')
    .option(
      '--drain',
      'first claim nothing new and let running attempts finish (up to policies.shutdown.drainSec)',
    )
    .option(
      '--drain-timeout <s>',
      'with --drain: how long running attempts may take (default: policies.shutdown.drainSec)',
    )
    .action(async (opts: { timeout?: string; drain?: boolean; drainTimeout?: string }, cmd: Command) => {
      const { describeStop, requestStop } = await import('@headless/supervisor/stop-request');
      const paths = rootPaths(cmd);
      const timeoutSec =
        opts.timeout === undefined ? undefined : parsePositiveSeconds(opts.timeout, '--timeout');
      if (opts.drain) {
        const limit =
          (opts.drainTimeout === undefined
            ? undefined
            : parsePositiveSeconds(opts.drainTimeout, '--drain-timeout')) ??
          (await loadConfig(paths)).policies.shutdown.drainSec;
        await drain(paths, limit);
      }
      const result = await requestStop(paths, timeoutSec === undefined ? {} : { timeoutSec });
      for (const line of describeStop(result, paths.root)) process.stdout.write(`${line}\n`);
      process.exitCode = ExitCode.ok;
    });
}

/** Asks the worker to claim nothing new and waits until no task is processing (or the limit). */
async function drain(paths: RootLayout, limitSec: number): Promise<void> {
  const until = Date.now() + limitSec * 1000;
  await drainFile(paths.drainRequest).write({
    at: new Date().toISOString(),
    until: new Date(until).toISOString(),
  });
  const store = new FolderStore(paths.tasksDir);
  process.stdout.write(
    `draining: nothing new starts; waiting up to ${limitSec} s for running attempts to finish\n`,
  );
  for (;;) {
    const running = (await store.ids('processing')).length;
    if (running === 0 || !(await liveWorker(paths))) break;
    if (Date.now() >= until) {
      process.stdout.write(
        `drain limit reached with ${running} attempt(s) still running: they are interrupted and resume at the next start\n`,
      );
      break;
    }
    // Polls the store (the truth) until the running attempts have ended.
    await new Promise((r) => setTimeout(r, 250));
  }
}
