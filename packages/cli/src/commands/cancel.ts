import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { ExitCode, HeadlessError } from '@headless/core/errors/headless-error';
import { Ledger } from '@headless/core/ledger/ledger';
import { cancelDir } from '@headless/core/run-state/worker-files';
import { openContext } from '../context.js';

export function register(program: Command): void {
  program
    .command('cancel')
    .description(
      'cancel a task: a queued or quarantined one fails at once; a running one is ended by its worker',
    )
    .argument('<id>', 'task id')
    .option('--wait <seconds>', 'how long to wait for a running task to end', '30')
    .action(async (id: string, opts: { wait: string }, cmd: Command) => {
      const ctx = await openContext(cmd);
      const found = await ctx.store.get(id);
      if (!found) throw new HeadlessError(`no task ${id} in ${ctx.paths.tasksDir}`, ExitCode.usage);
      const ledger = new Ledger(ctx.paths.ledger);
      if (found.state === 'queued' || found.state === 'quarantine') {
        await ctx.store.fail(id, found.state, 'cancelled by the user');
        await ledger.append({ event: 'task.cancelled', task: id, reason: `cancelled while ${found.state}` });
        process.stdout.write(`cancelled ${id} (was ${found.state})\n`);
        return;
      }
      if (found.state !== 'processing')
        throw new HeadlessError(`task ${id} is already ${found.state}; nothing to cancel`, ExitCode.failure);
      await fs.mkdir(cancelDir(ctx.paths.runDir), { recursive: true });
      await fs.writeFile(path.join(cancelDir(ctx.paths.runDir), id), new Date().toISOString());
      const deadline = Date.now() + Number(opts.wait) * 1000;
      while (Date.now() < deadline) {
        const now = await ctx.store.get(id);
        if (now && now.state !== 'processing') {
          process.stdout.write(`cancelled ${id}: its tool was ended, the task is ${now.state}\n`);
          return;
        }
        // Polls the store (the truth) until the task leaves processing or the deadline passes.
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new HeadlessError(
        `asked the worker to cancel ${id}, but it is still running after ${opts.wait} s; is a worker running on this root?`,
      );
    });
}
