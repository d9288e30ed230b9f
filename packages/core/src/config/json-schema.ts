import * as z from 'zod/mini';
import { policiesDescriptions, toolsDescriptions } from './descriptions.js';
import type { ConfigKind } from './parse.js';
import { PoliciesConfig, ToolsConfig } from './schema.js';

/** A JSON Schema node, as far as this module reads it. */
export interface JsonSchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchemaNode>;
  additionalProperties?: JsonSchemaNode | boolean;
  propertyNames?: JsonSchemaNode;
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  minItems?: number;
  minLength?: number;
  [key: string]: unknown;
}

/** One key of a config file, as the docs list it. */
export interface ConfigKey {
  /** `tools.*.prompt.via`: `*` any name in a map, `[]` any list item. */
  path: string;
  node: JsonSchemaNode;
  required: boolean;
}

const schemas = { tools: ToolsConfig, policies: PoliciesConfig } as const;
const descriptions = { tools: toolsDescriptions, policies: policiesDescriptions } as const;

/** The relative `$schema` reference written into each config file (the schema files sit in config/schema/). */
export const schemaRef = {
  tools: './schema/tools.schema.json',
  policies: './schema/policies.schema.json',
} as const;

/**
 * The JSON Schema of config/tools.json or config/policies.json, generated from the zod schema
 * (`io: 'input'`: what a user may write, defaults optional) with each key's description added.
 */
export function configJsonSchema(kind: ConfigKind): JsonSchemaNode {
  const root = z.toJSONSchema(schemas[kind], { io: 'input' }) as JsonSchemaNode;
  const described: JsonSchemaNode = {
    $schema: root['$schema'],
    title: `headless config/${kind}.json`,
    ...root,
  };
  for (const key of configKeys(kind, described)) {
    const text = descriptions[kind][key.path];
    if (text !== undefined) key.node.description = text;
  }
  return described;
}

/** Every key of a config file's schema, depth first, in schema order. */
export function configKeys(kind: ConfigKind, root: JsonSchemaNode = configJsonSchema(kind)): ConfigKey[] {
  const out: ConfigKey[] = [];
  walk(root, '', out);
  return out;
}

/** Keys that have no description: the schema grew and the docs did not. */
export function undocumentedKeys(kind: ConfigKind): string[] {
  return configKeys(kind)
    .map((k) => k.path)
    .filter((p) => descriptions[kind][p] === undefined);
}

function walk(node: JsonSchemaNode, prefix: string, out: ConfigKey[]): void {
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${name}` : name;
    out.push({ path, node: child, required: node.required?.includes(name) ?? false });
    walk(child, path, out);
  }
  if (node.additionalProperties && typeof node.additionalProperties === 'object') {
    walk(node.additionalProperties, `${prefix}.*`, out);
  }
  if (node.items) walk(node.items, `${prefix}[]`, out);
  for (const alt of node.anyOf ?? []) walk(alt, prefix, out);
}
