import type { Command } from 'commander';
import { HeadlessError, ExitCode } from '@headless/core/errors/headless-error';
import { rootPaths } from '../context.js';

export function register(program: Command): void {
  program
    .command('stop')
    .description('stop the supervisor of the root and everything it runs (writes STOP.HEADLESS and waits)')
    .option('--timeout <s>', 'seconds to wait for it to exit (default: policies.shutdown.graceSec + 5)')
    .action(async (opts: { timeout?: string }, cmd: Command) => {
      const { describeStop, requestStop } = await import('@headless/supervisor/stop-request');
      const paths = rootPaths(cmd);
      let timeoutSec: number | undefined;
      if (opts.timeout !== undefined) {
        timeoutSec = Number(opts.timeout);
        if (!Number.isFinite(timeoutSec) || timeoutSec <= 0) {
          throw new HeadlessError(
            `--timeout must be a positive number of seconds, not "${opts.timeout}"`,
            ExitCode.usage,
          );
        }
      }
      const result = await requestStop(paths, timeoutSec === undefined ? {} : { timeoutSec });
      for (const line of describeStop(result, paths.root)) process.stdout.write(`${line}\n`);
      process.exitCode = ExitCode.ok;
    });
}
