import { Command } from 'commander';

export const VERSION = '0.1.0';

/**
 * The `headless` command line without its commands: the name, version, global `--root` and the help
 * hint. run-cli.ts adds the commands an argv names; status-cli.ts adds `status` alone.
 */
export function newProgram(): Command {
  return new Command('headless')
    .description('Runs git and AI coding agents quietly in the background from a durable task queue.')
    .version(VERSION, '-V, --version')
    .option('--root <dir>', 'root folder (default: $HEADLESS_ROOT, else the current folder)')
    .showHelpAfterError('(run with --help for usage)');
}

/** The root chosen by `--root`, `HEADLESS_ROOT` or the current folder. */
export function rootOption(cmd: Command): string | undefined {
  const opts = cmd.optsWithGlobals<{ root?: string }>();
  return opts.root;
}
