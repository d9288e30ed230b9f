/**
 * Which kinds of code a repository holds, from a listing of its files (the blueprint's Python and
 * PowerShell, and JavaScript/TypeScript). Pure: the listing is gathered by repo-facts.ts.
 */

export interface RepoFacts {
  /** Paths relative to the repository, forward slashes (build and dependency folders left out). */
  files: readonly string[];
  /** The `scripts` of the top-level package.json, when there is one. */
  packageScripts?: Readonly<Record<string, string>>;
  /** Absolute paths of the repository's own TypeScript and ESLint, when installed in it. */
  localTsc?: string;
  localEslint?: string;
}

export interface DetectedKinds {
  python: boolean;
  powershell: boolean;
  javascript: boolean;
}

/** The glob patterns repo-facts.ts lists; nothing else is looked at. */
export const DETECTION_PATTERNS = [
  'pyproject.toml',
  'setup.cfg',
  'requirements*.txt',
  'package.json',
  'tsconfig.json',
  'PesterConfiguration.psd1',
  '**/*.py',
  '**/*.ps1',
  '**/*.psm1',
];

/** Folders never searched: dependencies, virtual environments, caches and build output. */
export const IGNORED_FOLDERS = [
  '.git',
  'node_modules',
  '.venv',
  'venv',
  'env',
  '__pycache__',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.ruff_cache',
  '.pytest_cache',
  'site-packages',
  'logs',
  '.tasks',
];

const topLevel = (f: string): boolean => !f.includes('/');

export function detectKinds(facts: RepoFacts): DetectedKinds {
  const files = facts.files;
  const python = files.some(
    (f) =>
      (topLevel(f) && (f === 'pyproject.toml' || f === 'setup.cfg' || /^requirements.*\.txt$/.test(f))) ||
      f.endsWith('.py'),
  );
  const powershell = files.some(
    (f) => f.endsWith('.ps1') || f.endsWith('.psm1') || (topLevel(f) && f === 'PesterConfiguration.psd1'),
  );
  const javascript = files.includes('package.json');
  return { python, powershell, javascript };
}

/** npm's placeholder `test` script (`npm init`), which only says there are no tests and fails. */
export function isPlaceholderTestScript(script: string): boolean {
  return /no test specified/.test(script);
}
