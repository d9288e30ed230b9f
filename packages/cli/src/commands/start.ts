import type { Command } from 'commander';
import { rootPaths } from '../context.js';

export function register(program: Command): void {
  program
    .command('start')
    .description(
      'run the supervisor: the worker and the orchestrator, restarted when they fail; stays attached (stop with "headless stop" or Ctrl+C)',
    )
    .option(
      '--foreground',
      'print a summary and the children’s output on the console (the default when stdout is a terminal)',
    )
    .action(async (opts: { foreground?: boolean }, cmd: Command) => {
      const { runSupervisor } = await import('@headless/supervisor/supervisor');
      const root = rootPaths(cmd).root;
      process.exitCode = await runSupervisor({
        root,
        foreground: opts.foreground === true || process.stdout.isTTY === true,
      });
    });
}
