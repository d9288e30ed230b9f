import fs from 'node:fs/promises';
import path from 'node:path';
import type { RootLayout } from '../paths.js';
import { ConfigError } from './config-error.js';

/** The texts of a root's config files; undefined for a file that is not there. */
export interface ConfigTexts {
  tools: string | undefined;
  policies: string | undefined;
}

/** An absolute file path, or 'built-in'. (`string & {}` keeps the literal visible in editors.) */
export type ConfigSource = 'built-in' | (string & {});

/** The file each part of a config comes from (absolute path), or 'built-in' when the root has none. */
export function configSources(
  layout: RootLayout,
  texts: ConfigTexts,
): { tools: ConfigSource; policies: ConfigSource } {
  return {
    tools: texts.tools === undefined ? 'built-in' : layout.toolsConfig,
    policies: texts.policies === undefined ? 'built-in' : layout.policiesConfig,
  };
}

/** Both files' texts; a file that is there but cannot be read is a ConfigError. */
export async function readConfigTexts(layout: RootLayout): Promise<ConfigTexts> {
  const [tools, policies] = await Promise.all([
    readIfPresent(layout, layout.toolsConfig),
    readIfPresent(layout, layout.policiesConfig),
  ]);
  return { tools, policies };
}

/** `config/tools.json`: the file relative to the root, with forward slashes on every OS. */
export function displayName(layout: RootLayout, file: string): string {
  const rel = path.relative(layout.root, file);
  return (rel.startsWith('..') || path.isAbsolute(rel) ? file : rel).split(path.sep).join('/');
}

async function readIfPresent(layout: RootLayout, file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new ConfigError(
      {
        file: displayName(layout, file),
        jsonPath: '$',
        found: `a file that cannot be read (${code ?? String(err)})`,
        expected: 'a readable JSON file',
        hint: 'check its permissions, or delete it to use the defaults',
      },
      { cause: err },
    );
  }
}
