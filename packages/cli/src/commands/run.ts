import type { Command } from 'commander';
import { runWorkerProcess } from '@headless/queue-worker/main';
import { rootPaths } from '../context.js';

export function register(program: Command): void {
  program
    .command('run')
    .description('process everything runnable, wait for scheduled retries, then exit')
    .option(
      '--until-idle',
      'exit once nothing is queued, running or waiting for a retry (the default and only mode)',
      true,
    )
    .option('--quiet', 'no console output (logs still go to logs/)')
    .action(async (opts: { quiet?: boolean }, cmd: Command) => {
      const summary = await runWorkerProcess({
        root: rootPaths(cmd).root,
        console: !opts.quiet,
        untilIdle: true,
      });
      process.exitCode = summary.exitCode;
    });
}
