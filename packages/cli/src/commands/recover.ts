import type { Command } from 'commander';
import { acquireWorkerLock } from '@headless/core/run-state/worker-lock';
import { openContext, printJson } from '../context.js';

export function register(program: Command): void {
  program
    .command('recover')
    .description(
      'return interrupted tasks to the queue and end their orphaned tools (runs before every worker boot)',
    )
    .option('--json', 'print the report as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { recover } = await import('@headless/recovery/recover');
      const ctx = await openContext(cmd);
      // Recovery changes task state: it needs the worker lock (a running worker recovered at its start).
      const lock = await acquireWorkerLock(ctx.paths, { waitMs: 3000 });
      const report = await recover({ root: ctx.paths.root, policies: ctx.config.policies }).finally(() =>
        lock.release(),
      );
      if (opts.json) return printJson(report);
      const lines = [
        `requeued: ${report.requeued.length ? report.requeued.join(', ') : 'none'}`,
        `failed as poison: ${report.poisoned.length ? report.poisoned.join(', ') : 'none'}`,
        `orphaned tool processes ended: ${report.killed.length ? report.killed.join(', ') : 'none'}`,
        `interrupted moves completed: ${report.completedMoves.length ? report.completedMoves.join(', ') : 'none'}`,
        `leftovers cleaned: ${report.cleaned.length}`,
        `damaged records rebuilt: ${report.rebuilt.length ? report.rebuilt.join(', ') : 'none'}`,
        ...(report.unrecoverable.length
          ? [`damaged records not rebuilt: ${report.unrecoverable.join(', ')}`]
          : []),
        `ledger lines added from task records: ${report.ledgerCaughtUp}`,
        ...(report.live.length ? [`left alone (their worker is alive): ${report.live.join(', ')}`] : []),
        ...report.notes.map((n) => `note: ${n}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
