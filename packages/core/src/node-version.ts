import { isOlderVersion } from './version-order.js';

/**
 * The oldest Node.js headless runs on (package.json `engines`). npm only warns about `engines`, and an
 * older node starts headless fine and then fails every task deep inside execa ("TEXT_ENCODINGS.union
 * is not a function": Set methods came in Node 22), so the CLI checks before doing anything.
 */
export const MIN_NODE_VERSION = '22.13.0';

/** What to tell the user when this node (`process.versions.node`) is too old for headless, else undefined. */
export function nodeVersionProblem(version: string, execPath: string): string | undefined {
  if (!isOlderVersion(version, MIN_NODE_VERSION)) return undefined;
  return (
    `needs Node.js ${MIN_NODE_VERSION} or newer, but ${execPath} is ${version}. Install a current Node.js LTS ` +
    '(https://nodejs.org) and run headless with it; if it is registered as a logon task, run ' +
    '`headless service install` again with the new node so the task uses it.'
  );
}
