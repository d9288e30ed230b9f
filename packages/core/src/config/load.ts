import fs from 'node:fs/promises';
import path from 'node:path';
import type { RootLayout } from '../paths.js';
import { ConfigError } from './config-error.js';
import { defaultToolsConfig } from './default-tools.js';
import { PARSE_ONCE, parseConfigText, parseJsonText, validateTools } from './parse.js';
import { overBuiltInTools } from './tools-overlay.js';
import { PoliciesConfig, type ToolsConfig } from './schema.js';

/** An absolute file path, or 'built-in'. (`string & {}` keeps the literal visible in editors.) */
export type ConfigSource = 'built-in' | (string & {});

export interface LoadedConfig {
  tools: ToolsConfig;
  policies: PoliciesConfig;
  /** The file each part came from (absolute path), or 'built-in' when the root has none. */
  sources: { tools: ConfigSource; policies: ConfigSource };
}

/** The texts of a root's config files; undefined for a file that is not there. */
export interface ConfigTexts {
  tools: string | undefined;
  policies: string | undefined;
}

/**
 * Reads config/tools.json and config/policies.json of a root. A missing file means the built-in
 * defaults; a file that is there but wrong is a ConfigError (never silently replaced by defaults).
 */
export async function loadConfig(layout: RootLayout): Promise<LoadedConfig> {
  return configFromTexts(layout, await readConfigTexts(layout));
}

/** Both files' texts; a file that is there but cannot be read is a ConfigError. */
export async function readConfigTexts(layout: RootLayout): Promise<ConfigTexts> {
  const [tools, policies] = await Promise.all([
    readIfPresent(layout, layout.toolsConfig),
    readIfPresent(layout, layout.policiesConfig),
  ]);
  return { tools, policies };
}

/** The config of texts read by readConfigTexts (validated; a ConfigError names the file and field). */
export function configFromTexts(layout: RootLayout, texts: ConfigTexts): LoadedConfig {
  const tools =
    texts.tools === undefined
      ? validateTools('built-in tools config', defaultToolsConfig())
      : parseToolsFile(displayName(layout, layout.toolsConfig), texts.tools);
  const policies =
    texts.policies === undefined
      ? PoliciesConfig.parse({}, PARSE_ONCE)
      : parseConfigText('policies', displayName(layout, layout.policiesConfig), texts.policies);
  return {
    tools,
    policies,
    sources: {
      tools: texts.tools === undefined ? 'built-in' : layout.toolsConfig,
      policies: texts.policies === undefined ? 'built-in' : layout.policiesConfig,
    },
  };
}

/** config/tools.json's text, laid over the built-in tools (see overBuiltInTools), validated. */
export function parseToolsFile(file: string, text: string): ToolsConfig {
  return validateTools(file, overBuiltInTools(parseJsonText(file, text)));
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
