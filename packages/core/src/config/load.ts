import type { RootLayout } from '../paths.js';
import { defaultToolsConfig } from './default-tools.js';
import { PARSE_ONCE, parseConfigText, parseJsonText, validateTools } from './parse.js';
import { overBuiltInTools } from './tools-overlay.js';
import { PoliciesConfig, type ToolsConfig } from './schema.js';
import { configSources, displayName, readConfigTexts, type ConfigSource, type ConfigTexts } from './texts.js';

// The texts' reader lives apart (no schemas): status reads the texts, and parses them only on a cache miss.
export { displayName, readConfigTexts, type ConfigSource, type ConfigTexts };

export interface LoadedConfig {
  tools: ToolsConfig;
  policies: PoliciesConfig;
  /** The file each part came from (absolute path), or 'built-in' when the root has none. */
  sources: { tools: ConfigSource; policies: ConfigSource };
}

/**
 * Reads config/tools.json and config/policies.json of a root. A missing file means the built-in
 * defaults; a file that is there but wrong is a ConfigError (never silently replaced by defaults).
 */
export async function loadConfig(layout: RootLayout): Promise<LoadedConfig> {
  return configFromTexts(layout, await readConfigTexts(layout));
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
  return { tools, policies, sources: configSources(layout, texts) };
}

/** config/tools.json's text, laid over the built-in tools (see overBuiltInTools), validated. */
export function parseToolsFile(file: string, text: string): ToolsConfig {
  return validateTools(file, overBuiltInTools(parseJsonText(file, text)));
}
