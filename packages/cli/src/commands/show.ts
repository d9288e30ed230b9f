import type { Command } from 'commander';
import { ExitCode, HeadlessError } from '@headless/core/errors/headless-error';
import { taskLogFile } from '@headless/core/log/task-log';
import { openContext, printJson } from '../context.js';
import { loadTaskSummaries, outputWidth, tailLines } from '../task-data.js';
import { renderShow, showJson } from '../views/show-view.js';

export function register(program: Command): void {
  program
    .command('show')
    .description(
      "one task: state, reason, attempts, tokens and cost, worktree changes, final message, its log's last lines",
    )
    .argument('<id>', 'task id')
    .option('--json', 'print one JSON object')
    .option('--lines <n>', 'last lines of the task log to print', '20')
    .action(async (id: string, opts: { json?: boolean; lines: string }, cmd: Command) => {
      const ctx = await openContext(cmd);
      const lines = Number(opts.lines);
      if (!Number.isInteger(lines) || lines < 0) {
        throw new HeadlessError(`--lines: "${opts.lines}" is not a whole number`, ExitCode.usage);
      }
      const { tasks } = await loadTaskSummaries(ctx, id);
      const task = tasks[0];
      if (!task) {
        throw new HeadlessError(
          `no task "${id}" in ${ctx.paths.tasksDir}: \`headless status --all\` lists the known ones`,
        );
      }
      task.logPath ??= taskLogFile(ctx.paths.logsDir, id);
      const tail = lines > 0 ? await tailLines(task.logPath, lines) : [];
      if (opts.json) return printJson(showJson(task, tail, Date.now()));
      process.stdout.write(`${renderShow(task, { logTail: tail, now: Date.now(), width: outputWidth() })}\n`);
    });
}
