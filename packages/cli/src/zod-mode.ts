import { chosenCommand } from './commands/index.js';

/** Commands that run for a long time in this process: the supervisor, the worker, `run`. */
const LONG_LIVED = new Set(['start', 'worker', 'run']);

/**
 * Whether this command line should run zod without its JIT. zod compiles each object schema into
 * a fast parser (`new Function`) at its first use: worth it for a daemon that parses records all day,
 * pure cost for a command that parses a handful of files and exits (about 50 ms of CPU of a
 * `status --json` here). Help and unknown commands count as short.
 */
export function zodJitless(argv: readonly string[]): boolean {
  const command = chosenCommand(argv);
  return command === undefined || !LONG_LIVED.has(command);
}
