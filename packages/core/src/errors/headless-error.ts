/** Exit codes that mean something: scripts can tell a bad config from a failed run. */
export const ExitCode = {
  ok: 0,
  /** Something failed at run time (a task, a process, a lost race). */
  failure: 1,
  /** The user's input is wrong: usage, config, task file. Fix it and run again. */
  usage: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Base of every error a user may see: its message says what went wrong and what to do. */
export class HeadlessError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode = ExitCode.failure, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/**
 * Says on stderr why a process's command failed, as `<who>: <message>` for a HeadlessError (its
 * message already says what to do) and with the stack for anything else; returns the exit code.
 */
export function reportFailure(who: string, err: unknown): ExitCode {
  if (err instanceof HeadlessError) {
    process.stderr.write(`${who}: ${err.message}\n`);
    return err.exitCode;
  }
  process.stderr.write(
    `${who}: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  return ExitCode.failure;
}
