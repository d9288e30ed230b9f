import type * as z from 'zod/mini';
import { DEFAULT_CONFIG_HINT } from './config-error.js';
import { showValue, toJsonPath, valueAt } from './json-path.js';

/** The parts of a ConfigError that come from one schema issue. */
export interface IssueDescription {
  jsonPath: string;
  found: string;
  expected: string;
  hint: string;
}

type Issue = z.core.$ZodIssue;
type Schema = z.core.$ZodType;

/**
 * Turns the first zod issue of a config file into words a user can act on. `input` is the parsed
 * JSON (zod does not keep the offending value in its issues); `schema` is walked to name the
 * allowed keys and the exact kind of number a field takes.
 */
export function describeIssue(issue: Issue, input: unknown, schema: Schema): IssueDescription {
  const path = issue.path;
  const value = valueAt(input, path);
  const found = value === undefined ? 'nothing (the key is missing)' : showValue(value);
  const base = { jsonPath: toJsonPath(path), found, hint: DEFAULT_CONFIG_HINT };
  switch (issue.code) {
    case 'invalid_type': {
      if (value === undefined) return { ...base, expected: typeWords(issue.expected), hint: 'add the key' };
      if (path.length === 0)
        return { ...base, expected: 'a JSON object', hint: 'the file must hold one {...} object' };
      return { ...base, expected: typeWords(issue.expected) };
    }
    case 'too_small':
    case 'too_big':
      return { ...base, expected: rangeWords(issue, schemaAt(schema, path)) };
    case 'invalid_value':
      return { ...base, expected: `one of ${issue.values.map((v) => showValue(v)).join(', ')}` };
    case 'invalid_format':
      return { ...base, expected: formatWords(issue) };
    case 'unrecognized_keys': {
      const key = issue.keys[0] ?? '';
      const allowed = objectKeys(schemaAt(schema, path)).filter((k) => k !== '$schema');
      return {
        jsonPath: toJsonPath([...path, key]),
        found: `unknown key ${JSON.stringify(key)}`,
        expected: allowed.length > 0 ? `one of the keys ${allowed.join(', ')}` : 'no keys here',
        hint: 'remove the key or fix its spelling',
      };
    }
    case 'invalid_key': {
      const key = path[path.length - 1];
      const inner = issue.issues[0];
      return {
        ...base,
        found: `the key ${JSON.stringify(String(key))}`,
        expected: inner ? innerExpected(inner) : 'a different key',
        hint: 'rename the key',
      };
    }
    case 'invalid_union': {
      const branches = issue.errors.map((errs) => (errs[0] ? innerExpected(errs[0]) : '')).filter(Boolean);
      return { ...base, expected: branches.length > 0 ? [...new Set(branches)].join(' or ') : issue.message };
    }
    default:
      return { ...base, expected: issue.message };
  }
}

function innerExpected(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return typeWords(issue.expected);
    case 'invalid_format':
      return formatWords(issue);
    case 'invalid_value':
      return `one of ${issue.values.map((v) => showValue(v)).join(', ')}`;
    default:
      return issue.message;
  }
}

function typeWords(expected: string): string {
  const words: Record<string, string> = {
    number: 'a number',
    int: 'an integer',
    string: 'a string',
    boolean: 'true or false',
    object: 'an object',
    record: 'an object',
    array: 'an array',
    null: 'null',
  };
  return words[expected] ?? expected;
}

function formatWords(issue: z.core.$ZodIssueInvalidStringFormat): string {
  // Our schemas give every regex a message that says what is wanted ("a size such as 20m").
  if (issue.format === 'regex' && !issue.message.startsWith('Invalid')) return issue.message;
  return issue.pattern ? `text matching ${issue.pattern}` : `a valid ${issue.format}`;
}

function rangeWords(
  issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig,
  node: Schema | undefined,
): string {
  const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
  if (issue.origin === 'array') {
    return issue.code === 'too_small'
      ? `a list of at least ${bound} item(s)`
      : `a list of at most ${bound} item(s)`;
  }
  if (issue.origin === 'string') {
    if (issue.code === 'too_small' && Number(bound) === 1) return 'a non-empty string';
    return issue.code === 'too_small'
      ? `a string of at least ${bound} characters`
      : `a string of at most ${bound} characters`;
  }
  const num = numberBounds(node);
  const isInt = num?.isInt ?? issue.origin === 'int';
  if (issue.code === 'too_small' && Number(bound) === 0) {
    if (!issue.inclusive) return isInt ? 'a positive integer' : 'a number greater than 0';
    return isInt ? 'an integer of 0 or more' : 'a number of 0 or more';
  }
  const kind = isInt ? 'an integer' : 'a number';
  const min = num?.minValue;
  const max = num?.maxValue;
  if (
    typeof min === 'number' &&
    typeof max === 'number' &&
    Number.isFinite(min) &&
    max < Number.MAX_SAFE_INTEGER
  ) {
    return `${kind} from ${min} to ${max}`;
  }
  if (issue.code === 'too_small')
    return `${kind} ${issue.inclusive ? 'of at least' : 'greater than'} ${bound}`;
  return `${kind} ${issue.inclusive ? 'of at most' : 'less than'} ${bound}`;
}

/**
 * A number schema's bounds and whether it takes integers only, folded from its checks (what classic
 * zod's `minValue`, `maxValue` and `isInt` say, for classic and mini schemas alike).
 */
function numberBounds(
  node: Schema | undefined,
): { isInt: boolean; minValue: number; maxValue: number } | undefined {
  if (node?._zod.def.type !== 'number') return undefined;
  const out = { isInt: false, minValue: -Infinity, maxValue: Infinity };
  for (const check of node._zod.def.checks ?? []) {
    const def = check._zod.def as { check: string; value?: unknown; format?: string };
    if (def.check === 'number_format') out.isInt ||= def.format?.includes('int') ?? false;
    else if (def.check === 'greater_than') out.minValue = Math.max(out.minValue, Number(def.value));
    else if (def.check === 'less_than') out.maxValue = Math.min(out.maxValue, Number(def.value));
  }
  return out;
}

/** The schema that validates the value at `path`, looking through defaults, optionals and containers. */
export function schemaAt(schema: Schema, path: readonly PropertyKey[]): Schema | undefined {
  let cur: Schema | undefined = unwrap(schema);
  for (const key of path) {
    if (!cur) return undefined;
    const def: z.core.$ZodTypeDef = cur._zod.def;
    if (def.type === 'object') cur = (def as z.core.$ZodObjectDef).shape[String(key)];
    else if (def.type === 'record') cur = (def as z.core.$ZodRecordDef).valueType;
    else if (def.type === 'array') cur = (def as z.core.$ZodArrayDef).element;
    else return undefined;
    cur = cur ? unwrap(cur) : undefined;
  }
  return cur;
}

function unwrap(schema: Schema): Schema {
  let cur = schema;
  for (;;) {
    const def: z.core.$ZodTypeDef = cur._zod.def;
    if (
      def.type === 'default' ||
      def.type === 'prefault' ||
      def.type === 'optional' ||
      def.type === 'nullable'
    ) {
      cur = (def as z.core.$ZodDefaultDef).innerType;
    } else return cur;
  }
}

function objectKeys(schema: Schema | undefined): string[] {
  if (!schema || schema._zod.def.type !== 'object') return [];
  return Object.keys((schema._zod.def as z.core.$ZodObjectDef).shape);
}
