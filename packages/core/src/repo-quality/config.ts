import * as z from 'zod/mini';
import '../zod-english.js';
import { ConfigError } from '../config/config-error.js';
import { describeIssue } from '../config/describe-issue.js';
import { parseJsonText } from '../config/parse.js';
import { PARSERS } from './types.js';

/** Where a repository keeps its gate, relative to the repository. */
export const REPO_QUALITY_FILE = '.headless/quality.json';

const stepName = z
  .string()
  .check(z.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a step name of lower-case letters, digits, - _'));

export const ConfiguredStep = z.strictObject({
  name: stepName,
  /** The program and its arguments; no shell, so no `&&`, pipes or globs. */
  argv: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
  /** A configured step whose program is missing fails, unless this says it may be skipped. */
  optional: z._default(z.boolean(), false),
  /** Working folder, relative to the repository. */
  cwd: z._default(z.string().check(z.minLength(1)), '.'),
  env: z._default(
    z.record(z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name')), z.string()),
    {},
  ),
  /** How to read its output; by default guessed from the program (ruff, pytest, pwsh, eslint, tsc). */
  parser: z.optional(z.enum(PARSERS)),
  timeoutSec: z._default(z.number().check(z.int(), z.positive()), 1800),
  /** Runs in the pre-commit hook (`--staged`), with the staged files that match `extensions` appended. */
  staged: z._default(z.boolean(), false),
  extensions: z._default(
    z.array(z.string().check(z.regex(/^\.[A-Za-z0-9]+$/, 'an extension such as .py'))),
    [],
  ),
});
export type ConfiguredStep = z.infer<typeof ConfiguredStep>;

export const RepoQualityConfig = z.strictObject({
  $schema: z.optional(z.string()),
  steps: z.array(ConfiguredStep).check(z.minLength(1)),
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
