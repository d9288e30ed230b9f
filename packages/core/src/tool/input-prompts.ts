import type { ToolSpec } from '../config/schema.js';
import { compilePattern } from './classify.js';

/**
 * Prompts that mean a tool waits for a person. A tool run headless with stdin closed cannot get an
 * answer, so the attempt is ended as `blocked_on_input` at the first one instead of holding its
 * slot until the idle timeout. Anchored to the end of the line where the prompt form allows it, so
 * an agent merely writing "[y/N]" in a sentence does not trip it.
 */
export const BUILTIN_INPUT_PATTERNS: readonly string[] = [
  // Yes/no questions: `Continue? [y/N] `, `Proceed (y/n)?`, ssh's `(yes/no/[fingerprint])?`.
  '\\[y/n\\]\\s*[:?]?\\s*$',
  '\\(y/n\\)\\s*[:?]?\\s*$',
  '\\(yes/no(?:/[^)]*)?\\)\\s*[:?]?\\s*$',
  'Press (?:Enter|Return|any key)\\b',
  // Credentials: `Password:`, `Enter password:`, git's `Password for 'https://…':`, ssh passphrases.
  "(?:^|\\s)password(?: for '[^']*'| for [^:']+)?:\\s*$",
  "^\\s*Username for '[^']*':\\s*$",
  'Enter passphrase for',
  // Questions of interactive UIs and installers: `Do you want to proceed?`.
  '^\\s*(?:[?>]\\s*)?Do you want to [^\\n]*\\?\\s*$',
];

/** How long an unterminated last line must stand without more output before it is read as a prompt. */
export const PARTIAL_PROMPT_MS = 1000;

/**
 * The prompt test for one tool: its `inputPatterns` plus, unless `builtinInputPatterns` is false,
 * the built-in ones. Lines that are JSON objects are never prompts: they are the tool's structured
 * output (an agent's message inside them may well quote a question).
 */
export function promptMatcher(
  tool: Pick<ToolSpec, 'inputPatterns' | 'builtinInputPatterns'>,
): ((text: string) => boolean) | undefined {
  const sources = [...(tool.builtinInputPatterns ? BUILTIN_INPUT_PATTERNS : []), ...tool.inputPatterns];
  const patterns = sources.map(compilePattern).filter((re): re is RegExp => re !== null);
  if (patterns.length === 0) return undefined;
  return (text: string) => {
    const t = text.trim();
    if (t === '' || (t.startsWith('{') && t.endsWith('}'))) return false;
    return patterns.some((re) => re.test(text));
  };
}
