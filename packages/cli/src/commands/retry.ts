import type { Command } from 'commander';
import { ExitCode, HeadlessError } from '@headless/core/errors/headless-error';
import { openContext } from '../context.js';
import { changeState, report } from '../state-change.js';
import { parseSeconds } from '../options.js';

interface RetryOptions {
  failed?: boolean;
  quarantined?: boolean;
  resetBreaker?: string;
  discardRejected?: boolean;
  wait: string;
}

export function register(program: Command): void {
  program
    .command('retry')
    .description(
      'put failed or quarantined tasks back in the queue with fresh attempts (quarantined lines are validated again)',
    )
    .argument('[id...]', 'task ids')
    .option('--failed', 'every failed task')
    .option('--quarantined', 'every quarantined task and rejected input line')
    .option(
      '--discard-rejected',
      'with --quarantined: delete rejected lines that are still invalid (after printing them)',
    )
    .option(
      '--reset-breaker <tool>',
      "close a tool's circuit breaker now (after fixing its cause); its parked tasks return",
    )
    .option('--wait <seconds>', 'how long to wait for the worker to answer', '30')
    .action(async (ids: string[], opts: RetryOptions, cmd: Command) => {
      if (ids.length === 0 && !opts.failed && !opts.quarantined && !opts.resetBreaker) {
        throw new HeadlessError(
          'name a task id, or use --failed, --quarantined or --reset-breaker TOOL',
          ExitCode.usage,
        );
      }
      const waitMs = parseSeconds(opts.wait, '--wait') * 1000;
      const ctx = await openContext(cmd);
      if (opts.resetBreaker) {
        report(await changeState(ctx, { kind: 'reset-breaker', tool: opts.resetBreaker }, { waitMs }));
        if (process.exitCode) return;
      }
      if (ids.length || opts.failed || opts.quarantined) {
        const res = await changeState(
          ctx,
          {
            kind: 'retry',
            tasks: ids,
            failed: opts.failed === true,
            quarantined: opts.quarantined === true,
            discardRejected: opts.discardRejected === true,
          },
          { waitMs },
        );
        report(res);
      }
    });
}
