import { Command } from 'commander';
import { chosenCommand, commandLoaders } from './commands/index.js';

export const VERSION = '0.1.0';

/**
 * Builds the `headless` command line. Each command lives in its own module under commands/; given
 * the argv, only the command it names is loaded (all of them for help or an unknown command).
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('headless')
    .description('Runs git and AI coding agents quietly in the background from a durable task queue.')
    .version(VERSION, '-V, --version')
    .option('--root <dir>', 'root folder (default: $HEADLESS_ROOT, else the current folder)')
    .showHelpAfterError('(run with --help for usage)');
  const chosen = chosenCommand(argv);
  const wanted = chosen ? commandLoaders.filter((c) => c.name === chosen) : commandLoaders;
  for (const mod of await Promise.all(wanted.map((c) => c.load()))) mod.register(program);
  return program;
}

/** The root chosen by `--root`, `HEADLESS_ROOT` or the current folder. */
export function rootOption(cmd: Command): string | undefined {
  const opts = cmd.optsWithGlobals<{ root?: string }>();
  return opts.root;
}
