import type { Command } from 'commander';
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
      const report = await recover({ root: ctx.paths.root, policies: ctx.config.policies });
      if (opts.json) return printJson(report);
      const lines = [
        `requeued: ${report.requeued.length ? report.requeued.join(', ') : 'none'}`,
        `failed as poison: ${report.poisoned.length ? report.poisoned.join(', ') : 'none'}`,
        `orphaned tool processes ended: ${report.killed.length ? report.killed.join(', ') : 'none'}`,
        `interrupted moves completed: ${report.completedMoves.length ? report.completedMoves.join(', ') : 'none'}`,
        `leftovers cleaned: ${report.cleaned.length}`,
        ...(report.live.length ? [`left alone (their worker is alive): ${report.live.join(', ')}`] : []),
        ...report.notes.map((n) => `note: ${n}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
