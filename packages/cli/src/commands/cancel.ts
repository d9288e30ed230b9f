import type { Command } from 'commander';
import { openContext } from '../context.js';
import { changeState, report } from '../state-change.js';
import { parseSeconds } from '../options.js';

export function register(program: Command): void {
  program
    .command('cancel')
    .description(
      'cancel a task: a queued or quarantined one fails at once; a running one is ended by its worker',
    )
    .argument('<id>', 'task id')
    .option('--wait <seconds>', 'how long to wait for a running task to end', '30')
    .action(async (id: string, opts: { wait: string }, cmd: Command) => {
      const waitMs = parseSeconds(opts.wait, '--wait') * 1000;
      const ctx = await openContext(cmd);
      // "cancelled" is printed only when the task really ended cancelled: the worker answers with
      // the state the attempt ended in (it may have finished by itself first).
      report(await changeState(ctx, { kind: 'cancel', task: id }, { waitMs }));
    });
}
