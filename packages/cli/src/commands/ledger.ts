import type { Command } from 'commander';
import { readLedger, readLedgerTail } from '@headless/core/ledger/ledger';
import { openContext, table } from '../context.js';

export function register(program: Command): void {
  program
    .command('ledger')
    .description('show the attempt ledger (logs/ledger.jsonl and its rotated segments ledger.N.jsonl)')
    .option('--task <id>', 'only this task')
    .option('--tail <n>', 'only the last n records', '50')
    .option('--json', 'print the records as JSON lines')
    .action(async (opts: { task?: string; tail: string; json?: boolean }, cmd: Command) => {
      const ctx = await openContext(cmd);
      const n = Number(opts.tail);
      // --task reads every rotated segment; a plain tail reads back from the newest only as far as needed.
      const tail = Number.isFinite(n) && n > 0 && !opts.task;
      const { records: shown, skipped } = tail
        ? await readLedgerTail(ctx.paths.ledger, n)
        : await readLedger(ctx.paths.ledger, opts.task ? (r) => r.task === opts.task : undefined);
      if (opts.json) {
        for (const r of shown) process.stdout.write(`${JSON.stringify(r)}\n`);
      } else {
        process.stdout.write(
          `${table(
            ['time', 'event', 'task', 'att', 'tool', 'exit', 'ms', 'outcome', 'reason'],
            shown.map((r) => [
              r.ts.replace('T', ' ').slice(0, 19),
              r.event,
              r.task ?? '',
              r.attempt === undefined ? '' : String(r.attempt),
              r.tool ?? '',
              r.exitCode === undefined || r.exitCode === null ? '' : String(r.exitCode),
              r.durationMs === undefined ? '' : String(r.durationMs),
              r.outcome ?? '',
              (r.reason ?? '').slice(0, 70),
            ]),
          )}\n`,
        );
      }
      if (skipped.length)
        process.stderr.write(
          `note: ${skipped.length} damaged ledger line(s) skipped (first at line ${skipped[0]?.line}${skipped[0]?.file ? ` of ${skipped[0].file}` : ''}); a crash mid-write tears at most the last line\n`,
        );
    });
}
