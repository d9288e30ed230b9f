import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI entry, as a user runs it. */
export const CLI_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin.js');

/** Runs `headless <args> --root <root>` in a real process: no HEADLESS_ROOT leaking in, a wide terminal. */
export function runCli(root: string, ...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI_BIN, ...args, '--root', root], {
    encoding: 'utf8',
    env: { ...process.env, HEADLESS_ROOT: '', COLUMNS: '200' },
  });
}
