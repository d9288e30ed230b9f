import { z } from 'zod';
import { ConfigError } from '../config/config-error.js';
import { describeIssue } from '../config/describe-issue.js';
import { parseJsonText } from '../config/parse.js';
import { PARSERS } from './types.js';

/** Where a repository keeps its gate, relative to the repository. */
export const REPO_QUALITY_FILE = '.headless/quality.json';

const stepName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a step name of lower-case letters, digits, - _');

export const ConfiguredStep = z.strictObject({
  name: stepName,
  /** The program and its arguments; no shell, so no `&&`, pipes or globs. */
  argv: z.array(z.string().min(1)).min(1),
  /** A configured step whose program is missing fails, unless this says it may be skipped. */
  optional: z.boolean().default(false),
  /** Working folder, relative to the repository. */
  cwd: z.string().min(1).default('.'),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name'), z.string()).default({}),
  /** How to read its output; by default guessed from the program (ruff, pytest, pwsh, eslint, tsc). */
  parser: z.enum(PARSERS).optional(),
  timeoutSec: z.number().int().positive().default(1800),
  /** Runs in the pre-commit hook (`--staged`), with the staged files that match `extensions` appended. */
  staged: z.boolean().default(false),
  extensions: z.array(z.string().regex(/^\.[A-Za-z0-9]+$/, 'an extension such as .py')).default([]),
});
export type ConfiguredStep = z.infer<typeof ConfiguredStep>;

export const RepoQualityConfig = z.strictObject({
  $schema: z.string().optional(),
  steps: z.array(ConfiguredStep).min(1),
});
export type RepoQualityConfig = z.infer<typeof RepoQualityConfig>;

/** Parses the text of .headless/quality.json, or throws one ConfigError naming the spot (exit 2). */
export function parseRepoQualityConfig(text: string, file = REPO_QUALITY_FILE): RepoQualityConfig {
  const json = parseJsonText(file, text);
  const result = RepoQualityConfig.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    if (!issue) throw new ConfigError({ file, jsonPath: '$', found: 'something', expected: 'a valid gate' });
    throw new ConfigError({ file, ...describeIssue(issue, json, RepoQualityConfig) });
  }
  const seen = new Set<string>();
  result.data.steps.forEach((step, i) => {
    if (seen.has(step.name)) {
      throw new ConfigError({
        file,
        jsonPath: `$.steps[${i}].name`,
        found: JSON.stringify(step.name),
        expected: 'a name no other step has',
        hint: 'rename one of the steps',
      });
    }
    seen.add(step.name);
  });
  return result.data;
}
