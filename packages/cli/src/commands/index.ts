import type { Command } from 'commander';

export interface CommandModule {
  register(program: Command): void;
}

/**
 * Every `headless` command, in the order `--help` lists them. One module per command, loaded only
 * when needed: `headless start` (the supervisor's own process) and `status` must not pay for the
 * imports of `init`, `report` or `clean` (execa, zod schemas, yaml), in start-up time or memory.
 */
export const commandLoaders: readonly { name: string; load: () => Promise<CommandModule> }[] = [
  { name: 'start', load: () => import('./start.js') },
  { name: 'stop', load: () => import('./stop.js') },
  { name: 'status', load: () => import('./status.js') },
  { name: 'show', load: () => import('./show.js') },
  { name: 'report', load: () => import('./report.js') },
  { name: 'enqueue', load: () => import('./enqueue.js') },
  { name: 'worker', load: () => import('./worker.js') },
  { name: 'run', load: () => import('./run.js') },
  { name: 'logs', load: () => import('./logs.js') },
  { name: 'ledger', load: () => import('./ledger.js') },
  { name: 'retry', load: () => import('./retry.js') },
  { name: 'cancel', load: () => import('./cancel.js') },
  { name: 'recover', load: () => import('./recover.js') },
  { name: 'clean', load: () => import('./clean.js') },
  { name: 'service', load: () => import('./service.js') },
  { name: 'quality', load: () => import('./quality.js') },
  { name: 'init', load: () => import('./init.js') },
  { name: 'doctor', load: () => import('./doctor.js') },
];

/**
 * The command an argv names (`node bin.js [--root <dir>] <command> ...`), or undefined (help, an
 * unknown word, no command): then every command is loaded, so help and errors list them all.
 */
export function chosenCommand(argv: readonly string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--root') {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return commandLoaders.some((c) => c.name === a) ? a : undefined;
  }
  return undefined;
}
