import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { bundledEntry } from '@headless/core/bundle';
import { loadConfig } from '@headless/core/config/load';
import { HeadlessError, ExitCode } from '@headless/core/errors/headless-error';
import { describePlan, planService, type ServiceAction } from '@headless/supervisor/service/service-plan';
import { rootPaths } from '../context.js';

const ACTIONS: readonly ServiceAction[] = ['install', 'uninstall', 'status'];

export function register(program: Command): void {
  program
    .command('service')
    .description(
      'start the supervisor at logon: a Task Scheduler task (Windows), a systemd user unit (Linux) or a LaunchAgent (macOS)',
    )
    .argument('<action>', 'install | uninstall | status')
    .option('--print', 'print exactly what would be written and run, and do nothing')
    .action(async (action: string, opts: { print?: boolean }, cmd: Command) => {
      const { applyPlan, execRunner } = await import('@headless/supervisor/service/apply-plan');
      if (!ACTIONS.includes(action as ServiceAction)) {
        throw new HeadlessError(
          `unknown service action "${action}"; use install, uninstall or status`,
          ExitCode.usage,
        );
      }
      const paths = rootPaths(cmd);
      const { policies } = await loadConfig(paths);
      const spec = {
        root: paths.root,
        nodePath: process.execPath,
        // the bundle's entry when running from it, else dist/commands/service.js -> dist/bin.js
        cliPath: bundledEntry('cli') ?? fileURLToPath(new URL('../bin.js', import.meta.url)),
        stopTimeoutSec: policies.shutdown.graceSec + 5,
        ...(process.env['PATH'] ? { pathEnv: process.env['PATH'] } : {}),
      };
      const user = os.userInfo().username;
      const host = {
        platform: process.platform,
        home: os.homedir(),
        uid: process.getuid?.(),
        userId: process.env['USERDOMAIN'] ? `${process.env['USERDOMAIN']}\\${user}` : user,
      };
      const plan = planService(action as ServiceAction, spec, host);
      if (opts.print) {
        process.stdout.write(describePlan(plan));
        return;
      }
      process.exitCode = await applyPlan(plan, execRunner, (text) => process.stdout.write(`${text}\n`));
    });
}
