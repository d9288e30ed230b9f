import { defaultToolsConfig } from './default-tools.js';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Lays the `tools` map of a config/tools.json over the built-in tools, tool by tool and key by key:
 * `{"tools":{"claude":{"executable":"C:/bin/claude.cmd"}}}` changes claude's executable and keeps
 * its flags, and keeps git, codex and the rest (a list given replaces the built-in list whole). A
 * tool set to `null` is removed. A file without `tools` gets all built-in tools. Anything that is
 * not an object is returned as it is, for the schema to report. Pure.
 */
export function overBuiltInTools(json: unknown, builtIn = defaultToolsConfig().tools): unknown {
  if (!isObject(json)) return json;
  const given = json['tools'];
  if (given !== undefined && !isObject(given)) return json;
  const merged: Record<string, unknown> = { ...builtIn };
  for (const [name, spec] of Object.entries(given ?? {})) {
    const base = merged[name];
    if (spec === null) delete merged[name];
    else merged[name] = isObject(base) && isObject(spec) ? { ...base, ...spec } : spec;
  }
  return { ...json, tools: merged };
}
