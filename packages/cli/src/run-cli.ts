import type { Command } from 'commander';
import { newProgram } from './program.js';
import { runProgram } from './run-program.js';
import { chosenCommand, commandLoaders } from './commands/index.js';

/**
 * Builds the `headless` command line. Each command lives in its own module under commands/; given
 * the argv, only the command it names is loaded (all of them for help or an unknown command).
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = newProgram();
  const chosen = chosenCommand(argv);
  const wanted = chosen ? commandLoaders.filter((c) => c.name === chosen) : commandLoaders;
  for (const mod of await Promise.all(wanted.map((c) => c.load()))) mod.register(program);
  return program;
}

/** Runs the CLI and returns the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  return runProgram(await buildProgram(argv), argv);
}
