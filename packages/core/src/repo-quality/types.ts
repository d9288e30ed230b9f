/**
 * The quality gate of a user's repository (`headless quality --repo R`, the built-in `quality`
 * tool, the pre-commit hook, the workflow): its steps, their results and the gate's result. Not
 * headless's own gate (scripts/quality.mjs).
 */

/** How a step's output is read to name what failed, in the tool's own terms. */
export const PARSERS = [
  'ruff-format',
  'ruff-check',
  'pytest',
  'pester',
  'eslint',
  'tsc',
  'node-test',
  'none',
] as const;
export type ParserName = (typeof PARSERS)[number];

export interface PlannedStep {
  name: string;
  /** The program and its arguments; never run through a shell. */
  argv: string[];
  /** Absolute working folder. */
  cwd: string;
  /** Set on top of the environment the gate runs in. */
  env: Record<string, string>;
  /** A missing program skips the step (detected steps) instead of failing it (configured steps). */
  optional: boolean;
  /** Found by detection rather than written in .headless/quality.json. */
  detected: boolean;
  parser: ParserName;
  /** What to install when the program is missing, e.g. `pip install ruff`. */
  installHint?: string;
  /** A machine-readable result the step writes (pytest --junitxml, Pester's NUnit XML). */
  resultFile?: string;
  timeoutSec: number;
  /** Exit codes that count as passed besides 0 (pytest's 5: no tests were collected). */
  passCodes?: Record<number, string>;
  /** An exit code that means "the tool is not installed" (Pester 5 missing under pwsh). */
  missingCode?: { code: number; what: string };
}

export type StepStatus = 'passed' | 'failed' | 'skipped';

export interface StepResult {
  name: string;
  status: StepStatus;
  durationMs: number;
  exitCode: number | null;
  /** What failed, in the tool's terms: `file:line:col code message`, test ids, file names. */
  failures: string[];
  /** The step's log, absolute; null when it did not run. */
  log: string | null;
  /** Why it was skipped, or what else is known (timed out, no tests collected). */
  note?: string;
  /** The last lines of the output of a failed step (for steps whose output has no parser). */
  tail?: string[];
}

export interface GateResult {
  /** Absolute path of the repository. */
  repo: string;
  passed: boolean;
  steps: StepResult[];
}
