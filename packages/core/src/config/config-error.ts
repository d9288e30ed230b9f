import { ExitCode, HeadlessError } from '../errors/headless-error.js';

export interface ConfigErrorInit {
  /** The file as the user knows it, e.g. `config/policies.json`. */
  file: string;
  /** Where in the file, e.g. `$.retry.maxAttempts` (`$` for the whole file). */
  jsonPath: string;
  /** What is there now, shown as compact JSON or a short phrase. */
  found: string;
  /** What would be accepted. */
  expected: string;
  /** What to do about it; defaults to fixing or deleting the key. */
  hint?: string;
  /** For a JSON syntax fault: where it is (1-based). */
  line?: number;
  column?: number;
}

export const DEFAULT_CONFIG_HINT = 'fix the value or delete the key to use the default';

/**
 * A config file that cannot be used. Its message is one line that names the file, the spot, what
 * was found and what was expected, e.g.
 * `config/policies.json: $.retry.maxAttempts: found -1, expected a positive integer (fix the value or delete the key to use the default)`.
 * Exit code 2: the user's input is wrong, running again without a change will not help.
 */
export class ConfigError extends HeadlessError {
  readonly file: string;
  readonly jsonPath: string;
  readonly found: string;
  readonly expected: string;
  readonly hint: string;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(init: ConfigErrorInit, options?: ErrorOptions) {
    const hint = init.hint ?? DEFAULT_CONFIG_HINT;
    const where = init.line !== undefined ? `line ${init.line} column ${init.column ?? 1}` : init.jsonPath;
    const message = `${init.file}: ${where}: found ${init.found}, expected ${init.expected} (${hint})`;
    // One line, whatever the parts hold: a newline would split the error across log records.
    super(message.replace(/[\r\n]+/g, ' '), ExitCode.usage, options);
    this.file = init.file;
    this.jsonPath = init.jsonPath;
    this.found = init.found;
    this.expected = init.expected;
    this.hint = hint;
    this.line = init.line;
    this.column = init.column;
  }
}
