import type { Command } from 'commander';
import { layout, resolveRoot } from '@headless/core/paths';

export function register(program: Command): void {
  program
    .command('doctor')
    .description('check the config, the folders and every configured tool (found on PATH? which version?)')
    .option('--json', 'print one JSON object instead of tables')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const l = layout(resolveRoot(cmd.optsWithGlobals<{ root?: string }>().root));
      // Loaded on use: `headless status` and friends should not pay for execa and the probes.
      const { runDoctor } = await import('../doctor/run-doctor.js');
      const { renderReport } = await import('../doctor/report.js');
      const report = await runDoctor(l);
      process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : renderReport(report));
      process.exitCode = report.exitCode;
    });
}
