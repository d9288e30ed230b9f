import { CommanderError, type Command } from 'commander';
import { ExitCode, reportFailure } from '@headless/core/errors/headless-error';

/** Runs a built program on the argv and returns the exit code; every known error becomes one clear line on stderr. */
export async function runProgram(program: Command, argv: readonly string[]): Promise<number> {
  program.exitOverride();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return ExitCode.ok;
      return ExitCode.usage;
    }
    return reportFailure('headless', err);
  }
}
