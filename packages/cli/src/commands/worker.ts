import type { Command } from 'commander';
import { rootPaths } from '../context.js';

export function register(program: Command): void {
  program
    .command('worker')
    .description('run the queue worker alone (long-lived; stops on STOP.HEADLESS, SIGINT or SIGTERM)')
    .option('--quiet', 'no console output (logs still go to logs/)')
    .action(async (opts: { quiet?: boolean }, cmd: Command) => {
      const { runWorkerProcess } = await import('@headless/queue-worker/main');
      const summary = await runWorkerProcess({
        root: rootPaths(cmd).root,
        console: !opts.quiet,
        untilIdle: false,
      });
      process.exitCode = summary.exitCode;
    });
}
