import path from 'node:path';
import { ExitCode, HeadlessError } from '../errors/headless-error.js';
import type { ConfiguredStep, RepoQualityConfig } from './config.js';
import { detectKinds, isPlaceholderTestScript, type RepoFacts } from './detect.js';
import { PESTER_MISSING_EXIT, PESTER_RESULT_ENV, PESTER_SCRIPT } from './pester-command.js';
import type { ParserName, PlannedStep } from './types.js';

/**
 * The steps of a repository's gate: the ones written in .headless/quality.json, or without it the
 * detected ones. Pure: facts and config come in, argv lists go out.
 */

export interface PlanOptions {
  /** Absolute path of the repository. */
  repo: string;
  /** Folder for the machine-readable results (junit, NUnit XML): the step logs' folder. */
  resultDir: string;
  /** The node that runs headless: runs the repository's own tsc and eslint (no .cmd shims). */
  node: string;
  config?: RepoQualityConfig;
  /** Pre-commit mode: only the fast steps, on these staged files (relative to the repository). */
  staged?: readonly string[];
}

const DETECTED_TIMEOUT_SEC = 1800;
const PY_EXT = ['.py', '.pyi'];
const JS_EXT = ['.js', '.jsx', '.mjs', '.cjs', '.ts', '.tsx', '.mts', '.cts'];

export function planSteps(facts: RepoFacts, opts: PlanOptions): PlannedStep[] {
  if (opts.config) return opts.config.steps.flatMap((s) => configuredStep(s, opts));
  return opts.staged ? detectedStagedSteps(facts, opts, opts.staged) : detectedSteps(facts, opts);
}

function base(opts: PlanOptions): Omit<PlannedStep, 'name' | 'argv' | 'parser'> {
  return { cwd: opts.repo, env: {}, optional: true, detected: true, timeoutSec: DETECTED_TIMEOUT_SEC };
}

function detectedSteps(facts: RepoFacts, opts: PlanOptions): PlannedStep[] {
  const kinds = detectKinds(facts);
  const steps: PlannedStep[] = [];
  if (kinds.python) {
    steps.push(
      {
        ...base(opts),
        name: 'ruff-format',
        argv: ['ruff', 'format', '--check'],
        parser: 'ruff-format',
        installHint: 'pip install ruff',
      },
      {
        ...base(opts),
        name: 'ruff-check',
        argv: ['ruff', 'check', '--output-format', 'concise'],
        parser: 'ruff-check',
        installHint: 'pip install ruff',
      },
    );
    const junit = path.join(opts.resultDir, 'pytest-junit.xml');
    steps.push({
      ...base(opts),
      name: 'pytest',
      argv: ['pytest', `--junitxml=${junit}`],
      parser: 'pytest',
      installHint: 'pip install pytest',
      resultFile: junit,
      passCodes: { 5: 'no tests were collected' },
    });
  }
  if (kinds.powershell) {
    const nunit = path.join(opts.resultDir, 'pester-nunit.xml');
    steps.push({
      ...base(opts),
      name: 'pester',
      argv: ['pwsh', '-NoProfile', '-NonInteractive', '-Command', PESTER_SCRIPT],
      env: { [PESTER_RESULT_ENV]: nunit },
      parser: 'pester',
      installHint: 'install PowerShell 7, then Install-Module Pester -MinimumVersion 5.0',
      resultFile: nunit,
      missingCode: { code: PESTER_MISSING_EXIT, what: 'Pester 5' },
    });
  }
  if (kinds.javascript) steps.push(...jsSteps(facts, opts));
  return steps;
}

function jsSteps(facts: RepoFacts, opts: PlanOptions): PlannedStep[] {
  const scripts = facts.packageScripts ?? {};
  const npm = (name: string, script: string, parser: ParserName): PlannedStep => ({
    ...base(opts),
    name,
    argv: script === 'test' ? ['npm', 'test'] : ['npm', 'run', script],
    env: { npm_config_update_notifier: 'false', npm_config_fund: 'false' },
    parser,
    installHint: 'install Node.js (npm comes with it)',
  });
  const steps: PlannedStep[] = [];
  if (scripts['lint'] !== undefined) steps.push(npm('js-lint', 'lint', 'eslint'));
  if (scripts['typecheck'] !== undefined) steps.push(npm('js-typecheck', 'typecheck', 'tsc'));
  else if (facts.localTsc && facts.files.includes('tsconfig.json')) {
    steps.push({
      ...base(opts),
      name: 'js-typecheck',
      argv: [opts.node, facts.localTsc, '--noEmit', '--pretty', 'false'],
      parser: 'tsc',
    });
  }
  const test = scripts['test'];
  if (test !== undefined && !isPlaceholderTestScript(test)) steps.push(npm('js-test', 'test', 'none'));
  return steps;
}

/** Pre-commit: the fast steps only (ruff format --check, ruff check, eslint), on the staged files. */
function detectedStagedSteps(facts: RepoFacts, opts: PlanOptions, staged: readonly string[]): PlannedStep[] {
  const py = staged.filter((f) => PY_EXT.includes(path.extname(f)));
  const js = staged.filter((f) => JS_EXT.includes(path.extname(f)));
  const steps: PlannedStep[] = [];
  if (py.length > 0) {
    steps.push(
      {
        ...base(opts),
        name: 'ruff-format',
        argv: ['ruff', 'format', '--check', '--', ...py],
        parser: 'ruff-format',
        installHint: 'pip install ruff',
      },
      {
        ...base(opts),
        name: 'ruff-check',
        argv: ['ruff', 'check', '--output-format', 'concise', '--', ...py],
        parser: 'ruff-check',
        installHint: 'pip install ruff',
      },
    );
  }
  if (js.length > 0 && facts.localEslint) {
    steps.push({
      ...base(opts),
      name: 'eslint',
      argv: [opts.node, facts.localEslint, '--', ...js],
      parser: 'eslint',
    });
  }
  return steps;
}

function configuredStep(step: ConfiguredStep, opts: PlanOptions): PlannedStep[] {
  let argv = step.argv;
  if (opts.staged) {
    if (!step.staged) return [];
    const files = step.extensions.length
      ? opts.staged.filter((f) => step.extensions.includes(path.extname(f)))
      : [...opts.staged];
    if (files.length === 0) return [];
    argv = [...argv, ...files];
  }
  return [
    {
      name: step.name,
      argv,
      cwd: path.resolve(opts.repo, step.cwd),
      env: step.env,
      optional: step.optional,
      detected: false,
      parser: step.parser ?? guessParser(step.argv),
      timeoutSec: step.timeoutSec,
    },
  ];
}

/** The parser for a configured step, from its program: `ruff check`, `python -m pytest`, `pwsh … Invoke-Pester`. */
export function guessParser(argv: readonly string[]): ParserName {
  const program =
    (argv[0] ?? '')
      .split(/[\\/]/)
      .pop()
      ?.toLowerCase()
      .replace(/\.(exe|cmd|bat)$/, '') ?? '';
  const rest = argv.slice(1);
  const words = rest.join(' ');
  if (program === 'ruff') return rest.includes('format') ? 'ruff-format' : 'ruff-check';
  if (program === 'pytest' || /(^|\s)-m pytest\b/.test(words)) return 'pytest';
  if ((program === 'pwsh' || program === 'powershell') && /Invoke-Pester/i.test(words)) return 'pester';
  if (program === 'eslint' || rest.some((a) => /eslint(\.js)?$/.test(a))) return 'eslint';
  if (program === 'tsc' || rest.some((a) => /[\\/]tsc$/.test(a))) return 'tsc';
  if (program === 'node' && rest.includes('--test')) return 'node-test';
  return 'none';
}

/** `--only`/`--skip` applied; a name that is no step is a usage error, not silently ignored. */
export function selectSteps(
  steps: readonly PlannedStep[],
  sel: { only?: readonly string[]; skip?: readonly string[] },
): PlannedStep[] {
  const names = steps.map((s) => s.name);
  for (const n of [...(sel.only ?? []), ...(sel.skip ?? [])]) {
    if (!names.includes(n)) {
      throw new HeadlessError(
        `unknown step "${n}" (this repository's steps: ${names.join(', ') || 'none'})`,
        ExitCode.usage,
      );
    }
  }
  return steps.filter(
    (s) => (sel.only === undefined || sel.only.includes(s.name)) && !(sel.skip ?? []).includes(s.name),
  );
}
