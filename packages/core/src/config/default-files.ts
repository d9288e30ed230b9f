import { defaultToolsConfig } from './default-tools.js';
import { formatJson } from './format-json.js';
import { configJsonSchema, schemaRef } from './json-schema.js';
import { PoliciesConfig, ToolsConfig } from './schema.js';

/** A file `headless init` writes, relative to the root. */
export interface DefaultFile {
  relPath: string;
  text: string;
}

/**
 * The config files of a fresh root: tools.json and policies.json with every default spelled out
 * (so a user sees each knob), `$schema` first, plus the two schema files they point at.
 */
export function defaultConfigFiles(): DefaultFile[] {
  const tools = ToolsConfig.parse(defaultToolsConfig());
  const policies = PoliciesConfig.parse({});
  return [
    { relPath: 'config/tools.json', text: formatJson({ $schema: schemaRef.tools, ...tools }) },
    { relPath: 'config/policies.json', text: formatJson({ $schema: schemaRef.policies, ...policies }) },
    ...schemaFiles(),
  ];
}

/** The generated JSON Schema files (config/schema/ is not formatted by prettier: plain 2-space JSON). */
export function schemaFiles(): DefaultFile[] {
  return [
    {
      relPath: 'config/schema/tools.schema.json',
      text: `${JSON.stringify(configJsonSchema('tools'), null, 2)}\n`,
    },
    {
      relPath: 'config/schema/policies.schema.json',
      text: `${JSON.stringify(configJsonSchema('policies'), null, 2)}\n`,
    },
  ];
}
