import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { ExitCode, HeadlessError } from '@headless/core/errors/headless-error';
import { taskLogFile } from '@headless/core/log/task-log';
import { TaskId } from '@headless/core/task/schema';
import { openContext } from '../context.js';

export function register(program: Command): void {
  program
    .command('logs')
    .description("print a task's output log (logs/task_<id>.log)")
    .argument('<id>', 'task id')
    .option('-f, --follow', 'keep printing new output until the task leaves processing')
    .action(async (id: string, opts: { follow?: boolean }, cmd: Command) => {
      if (!TaskId.safeParse(id).success) throw new HeadlessError(`"${id}" is not a task id`, ExitCode.usage);
      const ctx = await openContext(cmd);
      const file = taskLogFile(ctx.paths.logsDir, id);
      let offset = 0;
      const printNew = async () => {
        let fh;
        try {
          fh = await fs.open(file, 'r');
        } catch {
          return false;
        }
        try {
          const { size } = await fh.stat();
          if (size > offset) {
            const buf = Buffer.alloc(size - offset);
            await fh.read(buf, 0, buf.length, offset);
            process.stdout.write(buf);
            offset = size;
          }
          return true;
        } finally {
          await fh.close();
        }
      };
      const exists = await printNew();
      if (!opts.follow) {
        if (!exists)
          throw new HeadlessError(
            `no log for task ${id} (${file}); it has not run yet, or its log was pruned`,
            ExitCode.failure,
          );
        return;
      }
      if (!exists && !(await ctx.store.get(id))) {
        throw new HeadlessError(`no task ${id} on ${ctx.paths.root}: nothing to follow`, ExitCode.usage);
      }
      for (;;) {
        const state = (await ctx.store.get(id))?.state;
        await printNew();
        if (state !== 'processing' && state !== 'queued') return;
        // `-f` follows a file another process appends to: a short poll, ended when the task finishes.
        await new Promise((r) => setTimeout(r, 250));
      }
    });
}
