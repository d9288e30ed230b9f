/**
 * The oldest Node.js headless runs on (package.json `engines`). npm only warns about `engines`, and an
 * older node starts headless fine and then fails every task deep inside execa ("TEXT_ENCODINGS.union
 * is not a function": Set methods came in Node 22), so the CLI checks before doing anything.
 */
export const MIN_NODE_VERSION = '22.13.0';

function parts(version: string): number[] {
  return version
    .replace(/^v/, '')
    .split(/[.-]/)
    .slice(0, 3)
    .map((p) => Number.parseInt(p, 10) || 0);
}

/** True when `version` (`22.13.0`, `v20.20.2`) is older than `min`. */
export function isOlderNode(version: string, min: string = MIN_NODE_VERSION): boolean {
  const [a, b] = [parts(version), parts(min)];
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  }
  return false;
}

/** What to tell the user when this node is too old for headless, else undefined. */
export function nodeVersionProblem(version: string, execPath: string): string | undefined {
  if (!isOlderNode(version)) return undefined;
  const v = version.replace(/^v/, '');
  return (
    `needs Node.js ${MIN_NODE_VERSION} or newer, but ${execPath} is ${v}. Install a current Node.js LTS ` +
    '(https://nodejs.org) and run headless with it; if it is registered as a logon task, run ' +
    '`headless service install` again with the new node so the task uses it.'
  );
}
