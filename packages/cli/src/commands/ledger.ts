import type { Command } from 'commander';
import { parseCount } from '../options.js';
import { readLedger, readLedgerTail } from '@headless/core/ledger/ledger';
import type { LedgerRecord } from '@headless/core/ledger/record';
import { openContext, table } from '../context.js';
import { parseDuration } from '../duration.js';

interface LedgerOpts {
  task?: string;
  tail: string;
  json?: boolean;
  since?: string;
  event?: string;
  failed?: boolean;
  wide?: boolean;
}

/** Which ledger records the options select. Pure. */
export function ledgerFilter(
  opts: Pick<LedgerOpts, 'task' | 'event' | 'failed'> & { sinceMs?: number },
  now: number,
): (r: LedgerRecord) => boolean {
  const events = opts.event
    ?.split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  return (r) => {
    if (opts.task && r.task !== opts.task) return false;
    if (events?.length && !events.includes(r.event)) return false;
    if (opts.sinceMs !== undefined && Date.parse(r.ts) < now - opts.sinceMs) return false;
    if (opts.failed) {
      const failedAttempt = r.event === 'attempt.end' && r.outcome !== undefined && r.outcome !== 'success';
      if (r.event !== 'task.failed' && !failedAttempt) return false;
    }
    return true;
  };
}

export function register(program: Command): void {
  program
    .command('ledger')
    .description('show the attempt ledger (logs/ledger.jsonl and its rotated segments ledger.N.jsonl)')
    .option('--task <id>', 'only this task')
    .option('--tail <n>', 'only the last n records', '50')
    .option('--since <duration>', 'only records of the last 30m, 12h, 2d, ...')
    .option('--event <names>', 'only these events, comma-separated (e.g. task.failed,task.retry)')
    .option('--failed', 'only failed attempts and failed tasks')
    .option('--wide', 'print reasons whole (by default they are cut at 70 characters)')
    .option('--json', 'print the records as JSON lines')
    .action(async (opts: LedgerOpts, cmd: Command) => {
      const sinceMs = opts.since !== undefined ? parseDuration(opts.since, '--since') : undefined;
      const ctx = await openContext(cmd);
      const filtered = opts.task || opts.event || opts.failed || sinceMs !== undefined;
      const n = parseCount(opts.tail, '--tail');
      // A filter reads every rotated segment; a plain tail reads back from the newest only as far as needed.
      const { records, skipped } = filtered
        ? await readLedger(
            ctx.paths.ledger,
            ledgerFilter({ ...opts, ...(sinceMs !== undefined ? { sinceMs } : {}) }, Date.now()),
          )
        : await readLedgerTail(ctx.paths.ledger, n);
      const shown = !opts.task ? records.slice(-n) : records;
      if (opts.json) {
        for (const r of shown) process.stdout.write(`${JSON.stringify(r)}\n`);
      } else {
        const cut = (s: string) => (opts.wide || s.length <= 70 ? s : `${s.slice(0, 69)}…`);
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
              cut(r.reason ?? ''),
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
