import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '../config/config-error.js';
import { HeadlessError } from '../errors/headless-error.js';
import { parseRepoQualityConfig } from './config.js';
import { detectKinds } from './detect.js';
import { guessParser, planSteps, selectSteps } from './plan.js';

const REPO = path.resolve('/work/repo');
const opts = { repo: REPO, resultDir: path.join(REPO, 'logs'), node: '/usr/bin/node' };
const names = (files: string[], extra = {}) => planSteps({ files, ...extra }, opts).map((s) => s.name);

describe('detection', () => {
  it('finds Python by its project files or any .py, PowerShell by scripts or Pester config', () => {
    expect(detectKinds({ files: ['requirements-dev.txt'] }).python).toBe(true);
    expect(detectKinds({ files: ['tools/x.py'] }).python).toBe(true);
    expect(detectKinds({ files: ['docs/requirements.txt'] }).python).toBe(false);
    expect(detectKinds({ files: ['Modules/AutomationSuite.psm1'] }).powershell).toBe(true);
    expect(detectKinds({ files: ['PesterConfiguration.psd1'] }).powershell).toBe(true);
    expect(detectKinds({ files: ['README.md'] })).toEqual({
      python: false,
      powershell: false,
      javascript: false,
    });
  });

  it('plans the blueprint gate: ruff format --check, ruff check, pytest, Pester', () => {
    const steps = planSteps({ files: ['pyproject.toml', 'Tests/A.Tests.ps1'] }, opts);
    expect(steps.map((s) => [s.name, s.argv.slice(0, 3)])).toEqual([
      ['ruff-format', ['ruff', 'format', '--check']],
      ['ruff-check', ['ruff', 'check', '--output-format']],
      ['pytest', ['pytest', `--junitxml=${path.join(REPO, 'logs', 'pytest-junit.xml')}`]],
      ['pester', ['pwsh', '-NoProfile', '-NonInteractive']],
    ]);
    const pester = steps[3];
    expect(pester?.argv[4]).toMatch(/Invoke-Pester -Configuration \$c/);
    expect(pester?.argv[4]).toMatch(/PesterConfiguration\.psd1/);
    expect(pester?.env['HEADLESS_PESTER_RESULT']).toBe(path.join(REPO, 'logs', 'pester-nunit.xml'));
    expect(steps.every((s) => s.optional && s.detected)).toBe(true);
  });

  it("runs a package's lint, typecheck (or its own tsc) and test scripts, not npm's placeholder test", () => {
    expect(
      names(['package.json'], { packageScripts: { lint: 'eslint .', typecheck: 'tsc', test: 'jest' } }),
    ).toEqual(['js-lint', 'js-typecheck', 'js-test']);
    const own = planSteps(
      {
        files: ['package.json', 'tsconfig.json'],
        packageScripts: { test: 'echo "Error: no test specified" && exit 1' },
        localTsc: '/work/repo/node_modules/typescript/bin/tsc',
      },
      opts,
    );
    expect(own.map((s) => s.argv)).toEqual([
      ['/usr/bin/node', '/work/repo/node_modules/typescript/bin/tsc', '--noEmit', '--pretty', 'false'],
    ]);
  });

  it('in --staged mode runs only ruff and eslint, on the staged files of their kind', () => {
    const steps = planSteps(
      { files: ['pyproject.toml', 'package.json'], localEslint: '/r/node_modules/eslint/bin/eslint.js' },
      { ...opts, staged: ['a.py', 'b.ts', 'README.md'] },
    );
    expect(steps.map((s) => [s.name, s.argv.slice(-2)])).toEqual([
      ['ruff-format', ['--', 'a.py']],
      ['ruff-check', ['--', 'a.py']],
      ['eslint', ['--', 'b.ts']],
    ]);
    expect(planSteps({ files: ['pyproject.toml'] }, { ...opts, staged: ['README.md'] })).toEqual([]);
  });
});

describe('.headless/quality.json', () => {
  const config = parseRepoQualityConfig(
    JSON.stringify({
      steps: [
        { name: 'lint', argv: ['ruff', 'check', 'src'], staged: true, extensions: ['.py'] },
        { name: 'tests', argv: ['python', '-m', 'pytest', '-x'], cwd: 'service', env: { APP_ENV: 'test' } },
      ],
    }),
  );

  it('replaces detection; configured steps fail when their program is missing unless optional', () => {
    const steps = planSteps({ files: ['pyproject.toml'] }, { ...opts, config });
    expect(steps.map((s) => [s.name, s.parser, s.optional, s.detected, s.cwd])).toEqual([
      ['lint', 'ruff-check', false, false, REPO],
      ['tests', 'pytest', false, false, path.join(REPO, 'service')],
    ]);
    const staged = planSteps({ files: [] }, { ...opts, config, staged: ['x.py', 'y.md'] });
    expect(staged.map((s) => s.argv)).toEqual([['ruff', 'check', 'src', 'x.py']]);
  });

  it('names the file and the spot of a mistake', () => {
    expect(() => parseRepoQualityConfig('{"steps":[{"name":"A b","argv":["x"]}]}')).toThrow(ConfigError);
    expect(() => parseRepoQualityConfig('{"steps":[{"name":"a","argv":["x"]}]}', 'q.json')).not.toThrow();
    expect(() => parseRepoQualityConfig('{"steps":[{"name":"a","argv":"ruff check"}]}')).toThrow(
      /\.headless\/quality\.json: \$\.steps\[0\]\.argv/,
    );
    expect(() =>
      parseRepoQualityConfig('{"steps":[{"name":"a","argv":["x"]},{"name":"a","argv":["y"]}]}'),
    ).toThrow(/\$\.steps\[1\]\.name/);
    expect(() => parseRepoQualityConfig('{"steps":[{"name":"a","argv":["x"],"shell":true}]}')).toThrow(
      /shell/,
    );
  });

  it('guesses the parser from the program', () => {
    expect(guessParser(['C:\\Python\\Scripts\\ruff.exe', 'format', '--check'])).toBe('ruff-format');
    expect(guessParser(['pwsh', '-Command', 'Invoke-Pester -Path Tests'])).toBe('pester');
    expect(guessParser(['node', 'node_modules/eslint/bin/eslint.js', '.'])).toBe('eslint');
    expect(guessParser(['C:\\Program Files\\nodejs\\node.exe', '--test', 'a.test.mjs'])).toBe('node-test');
    expect(guessParser(['node', 'script.mjs'])).toBe('none');
    expect(guessParser(['make', 'check'])).toBe('none');
  });
});

describe('--only and --skip', () => {
  const steps = planSteps({ files: ['pyproject.toml'] }, opts);
  it('keeps the order and refuses names that are no step', () => {
    expect(selectSteps(steps, { only: ['pytest', 'ruff-check'] }).map((s) => s.name)).toEqual([
      'ruff-check',
      'pytest',
    ]);
    expect(selectSteps(steps, { skip: ['pytest'] }).map((s) => s.name)).toEqual([
      'ruff-format',
      'ruff-check',
    ]);
    expect(() => selectSteps(steps, { only: ['pester'] })).toThrow(HeadlessError);
    expect(() => selectSteps(steps, { only: ['pester'] })).toThrow(
      /unknown step "pester" \(this repository's steps: ruff-format, ruff-check, pytest\)/,
    );
  });
});
