import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledEntry } from '../bundle.js';

/**
 * headless running itself as a tool (the built-in `quality` tool): `"executable": "{node}"` is the
 * node that runs headless, `{headless}` in argv the path of headless's own CLI script. Node plus a
 * script path, never a `.cmd` shim or a PATH lookup, so it is the same headless on every OS.
 */
export const SELF_NODE = '{node}';

/** $HEADLESS_BIN overrides the CLI script (tests, unusual installs). */
export const HEADLESS_BIN_ENV = 'HEADLESS_BIN';

export interface SelfCommand {
  node: string;
  headlessBin: string;
}

export function selfCommand(env: NodeJS.ProcessEnv = process.env): SelfCommand {
  return { node: process.execPath, headlessBin: headlessBin(env) };
}

function headlessBin(env: NodeJS.ProcessEnv): string {
  const override = env[HEADLESS_BIN_ENV];
  if (override) return path.resolve(override);
  const bundled = bundledEntry('cli');
  if (bundled) return bundled;
  try {
    return fileURLToPath(import.meta.resolve('@headless/cli/bin'));
  } catch {
    // dist/tool/self.js -> packages/core -> packages/cli/dist/bin.js
    const here = path.dirname(fileURLToPath(import.meta.url));
    return path.resolve(here, '..', '..', '..', 'cli', 'dist', 'bin.js');
  }
}

/** The program a tool's `executable` names: `{node}` is this node, anything else stays as written. */
export function resolveToolExecutable(executable: string, self?: SelfCommand): string {
  return executable === SELF_NODE ? (self?.node ?? process.execPath) : executable;
}
