import type { Command } from 'commander';
import { rootPaths } from '../context.js';
import { parseSeconds } from '../options.js';

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
    .option(
      '--max-wait <seconds>',
      'wait at most this long for retries, resets and not_before times; then exit 1 listing what still waits',
      '900',
    )
    .action(async (opts: { quiet?: boolean; maxWait: string }, cmd: Command) => {
      const maxWaitMs = parseSeconds(opts.maxWait, '--max-wait') * 1000;
      const { runWorkerProcess } = await import('@headless/queue-worker/main');
      const { exitCode, summary } = await runWorkerProcess({
        root: rootPaths(cmd).root,
        console: !opts.quiet,
        untilIdle: true,
        maxWaitMs,
      });
      const waiting = summary?.waiting ?? [];
      if (waiting.length) {
        process.stderr.write(
          `headless: ${waiting.length} task(s) still wait (not due within --max-wait ${opts.maxWait} s, or waiting for a person):\n`,
        );
        for (const w of waiting) {
          process.stderr.write(
            `  ${w.id}: ${w.until ? `not before ${w.until}` : 'waiting'}${w.reason ? ` (${w.reason})` : ''}\n`,
          );
        }
        process.exitCode = 1;
        return;
      }
      // Scripts can tell "all done" from "something failed" (details: headless status / ledger).
      const failed = summary?.finished['failed'] ?? 0;
      const attention = summary?.finished['attention'] ?? 0;
      if (failed > 0) {
        process.stderr.write(
          `headless: ${failed} task(s) failed in this run; see "headless status" and "headless ledger"\n`,
        );
      }
      if (attention > 0) {
        process.stderr.write(
          `headless: ${attention} task(s) need attention (a login, an answer, a look at the result); see "headless status"\n`,
        );
      }
      process.exitCode = exitCode !== 0 ? exitCode : failed + attention > 0 ? 1 : 0;
    });
}
