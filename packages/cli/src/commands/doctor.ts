import type { Command } from 'commander';
import { layout, resolveRoot } from '@headless/core/paths';
import { renderReport } from '../doctor/report.js';
import { runDoctor } from '../doctor/run-doctor.js';

export function register(program: Command): void {
  program
    .command('doctor')
    .description('check the config, the folders and every configured tool (found on PATH? which version?)')
    .option('--json', 'print one JSON object instead of tables')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const l = layout(resolveRoot(cmd.optsWithGlobals<{ root?: string }>().root));
      const report = await runDoctor(l);
      process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : renderReport(report));
      process.exitCode = report.exitCode;
    });
}
