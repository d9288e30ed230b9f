import { configKeys, type JsonSchemaNode } from './json-schema.js';
import type { ConfigKind } from './parse.js';

/**
 * The key reference of docs/config.md, generated from the JSON Schema (type, default) and the
 * descriptions, so the docs list exactly the keys the code accepts.
 */
export function renderKeyReference(kind: ConfigKind): string {
  const lines: string[] = [];
  for (const key of configKeys(kind)) {
    if (key.path === '$schema') continue;
    const depth = key.path.split('.').filter((part) => part !== '*').length - 1;
    const facts = [typeWords(key.node)];
    if (key.required) facts.push('required');
    else if (key.node.default !== undefined) facts.push(`default ${defaultWords(key.node.default)}`);
    else facts.push('optional');
    const text = key.node.description ?? '';
    lines.push(`${'  '.repeat(depth)}- \`${key.path}\` (${facts.join(', ')}): ${text}`);
  }
  return `${lines.join('\n')}\n`;
}

const BEGIN = (kind: ConfigKind): string => `<!-- generated:${kind}-keys:begin (scripts/gen-schema.mjs) -->`;
const END = (kind: ConfigKind): string => `<!-- generated:${kind}-keys:end -->`;

/** Replaces the generated block of each kind inside `doc`; throws when a marker is missing. */
export function updateConfigDoc(doc: string): string {
  let out = doc;
  for (const kind of ['tools', 'policies'] as const) {
    const begin = out.indexOf(BEGIN(kind));
    const end = out.indexOf(END(kind));
    if (begin < 0 || end < begin)
      throw new Error(`docs/config.md lacks the markers ${BEGIN(kind)} ... ${END(kind)}`);
    out = `${out.slice(0, begin + BEGIN(kind).length)}\n\n${renderKeyReference(kind)}\n${out.slice(end)}`;
  }
  return out;
}

function typeWords(node: JsonSchemaNode): string {
  if (node.anyOf) return [...new Set(node.anyOf.map(typeWords))].join(' or ');
  if (node.enum) return node.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  const types = Array.isArray(node.type) ? node.type : node.type ? [node.type] : [];
  const words = types.map((t) => {
    switch (t) {
      case 'integer':
        if (node.exclusiveMinimum === 0) return 'integer > 0';
        if (node.minimum === 0) return 'integer ≥ 0';
        return 'integer';
      case 'number':
        if (node.minimum !== undefined && node.maximum !== undefined)
          return `number ${node.minimum}–${node.maximum}`;
        return 'number';
      case 'array':
        if (!node.items) return 'list';
        return node.items.anyOf
          ? `list of (${typeWords(node.items)})`
          : `list of ${plural(typeWords(node.items))}`;
      case 'object':
        if (node.additionalProperties && typeof node.additionalProperties === 'object') {
          return `map of name → ${typeWords(node.additionalProperties)}`;
        }
        return 'object';
      default:
        return t;
    }
  });
  return words.join(' or ') || 'any';
}

function plural(words: string): string {
  return words.replace(/^(string|object|integer|number|boolean)\b/, '$1s');
}

function defaultWords(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 80 ? `\`${text.slice(0, 76)}…\`` : `\`${text}\``;
}
