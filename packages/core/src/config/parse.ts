import type * as z from 'zod/mini';
import { ConfigError } from './config-error.js';
import { describeIssue } from './describe-issue.js';
import { showValue, toJsonPath } from './json-path.js';
import { findJsonSyntaxFault } from './json-text.js';
import { PoliciesConfig, ToolsConfig } from './schema.js';

export type ConfigKind = 'tools' | 'policies';

/**
 * Parses the text of config/tools.json or config/policies.json into its exact type, or throws one
 * ConfigError naming the first fault. `file` is how the message names the file. Pure: no I/O.
 */
export function parseConfigText(kind: 'tools', file: string, text: string): ToolsConfig;
export function parseConfigText(kind: 'policies', file: string, text: string): PoliciesConfig;
export function parseConfigText(kind: ConfigKind, file: string, text: string): ToolsConfig | PoliciesConfig;
export function parseConfigText(kind: ConfigKind, file: string, text: string): ToolsConfig | PoliciesConfig {
  const json = parseJsonText(file, text);
  return kind === 'tools' ? validateTools(file, json) : validatePolicies(file, json);
}

/** JSON.parse with a one-line ConfigError (line and column) instead of V8's message. */
export function parseJsonText(file: string, text: string): unknown {
  // Windows editors (Notepad) like to start UTF-8 files with a byte order mark; JSON.parse does not.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') {
    throw new ConfigError({
      file,
      jsonPath: '$',
      found: 'an empty file',
      expected: 'a JSON object',
      hint: 'write {} to use the defaults, or delete the file',
    });
  }
  try {
    return JSON.parse(body) as unknown;
  } catch (err) {
    const fault = findJsonSyntaxFault(body);
    const reason = fault?.reason ?? (err instanceof Error ? err.message : String(err));
    throw new ConfigError(
      {
        file,
        jsonPath: '$',
        found: `invalid JSON: ${reason}`,
        expected: 'valid JSON',
        hint: 'fix the syntax at that spot',
        line: fault?.line ?? 1,
        column: fault?.column ?? 1,
      },
      { cause: err },
    );
  }
}

/**
 * Config files are parsed once at boot and at each change: zod's JIT (it compiles a fast parser for
 * each object schema at its first parse) would cost more than it saves (~20 ms of a worker's boot).
 */
export const PARSE_ONCE = { jitless: true } as const;

export function validateTools(file: string, json: unknown): ToolsConfig {
  const result = ToolsConfig.safeParse(json, PARSE_ONCE);
  if (!result.success) throw issueError(file, result.error.issues, json, ToolsConfig);
  checkTools(file, result.data);
  return result.data;
}

export function validatePolicies(file: string, json: unknown): PoliciesConfig {
  const result = PoliciesConfig.safeParse(json, PARSE_ONCE);
  if (!result.success) throw issueError(file, result.error.issues, json, PoliciesConfig);
  return result.data;
}

function issueError(
  file: string,
  issues: readonly z.core.$ZodIssue[],
  json: unknown,
  schema: typeof ToolsConfig | typeof PoliciesConfig,
): ConfigError {
  const first = issues[0];
  if (!first) return new ConfigError({ file, jsonPath: '$', found: 'something', expected: 'a valid config' });
  return new ConfigError({ file, ...describeIssue(first, json, schema) });
}

/** Checks the schema cannot express: loop steps name configured tools, patterns compile. */
function checkTools(file: string, config: ToolsConfig): void {
  const toolNames = Object.keys(config.tools);
  for (const [toolName, tool] of Object.entries(config.tools)) {
    tool.patterns.forEach((rule, i) => {
      try {
        // Same flags as the classifier uses, so what compiles here compiles there.
        new RegExp(rule.pattern, 'i');
      } catch (err) {
        throw new ConfigError({
          file,
          jsonPath: toJsonPath(['tools', toolName, 'patterns', i, 'pattern']),
          found: showValue(rule.pattern),
          expected: `a valid regular expression (${err instanceof Error ? err.message : String(err)})`,
          hint: 'fix the pattern; escape characters such as ( [ { with a backslash (\\\\ in JSON)',
        });
      }
    });
  }
  for (const [loopName, loop] of Object.entries(config.loops)) {
    loop.steps.forEach((step, i) => {
      if (!Object.hasOwn(config.tools, step.tool)) {
        throw new ConfigError({
          file,
          jsonPath: toJsonPath(['loops', loopName, 'steps', i, 'tool']),
          found: showValue(step.tool),
          expected:
            toolNames.length > 0
              ? `one of the tools ${toolNames.join(', ')}`
              : 'a tool defined under "tools"',
          hint: 'name a tool from "tools" or add that tool',
        });
      }
    });
  }
}
