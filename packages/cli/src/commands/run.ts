import type { Command } from 'commander';
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
      const { runWorkerProcess } = await import('@headless/queue-worker/main');
      const { exitCode, summary } = await runWorkerProcess({
        root: rootPaths(cmd).root,
        console: !opts.quiet,
        untilIdle: true,
      });
      // Scripts can tell "all done" from "something failed" (details: headless status / ledger).
      const failed = summary?.finished['failed'] ?? 0;
      if (failed > 0) {
        process.stderr.write(
          `headless: ${failed} task(s) failed in this run; see "headless status" and "headless ledger"\n`,
        );
      }
      process.exitCode = exitCode !== 0 ? exitCode : failed > 0 ? 1 : 0;
    });
}
