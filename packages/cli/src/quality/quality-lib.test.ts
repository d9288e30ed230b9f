import { describe, expect, it } from '@jest/globals';
import {
  eslintFiles,
  findOnPath,
  jestFiles,
  parseArgs,
  parseQualityConfig,
  prettierFiles,
  renderSummary,
  selectSteps,
  tscFiles,
} from '../../../../scripts/quality-lib.mjs';

const root = '/repo';

describe('quality gate output parsers', () => {
  it('names the files prettier warns about', () => {
    const out = [
      'Checking formatting...',
      '[warn] packages/core/src/a.ts',
      '[warn] docs/config.md',
      '[warn] Code style issues found in 2 files. Run Prettier with --write to fix.',
    ].join('\n');
    expect(prettierFiles(out, root)).toEqual(['packages/core/src/a.ts', 'docs/config.md']);
  });

  it('names the file headers of eslint output', () => {
    const out = [
      '',
      '/repo/packages/core/src/floating.ts',
      '  3:3  error  Promises must be awaited  @typescript-eslint/no-floating-promises',
      '  9:1  warning  Unused  no-unused-vars',
      '',
      '/repo/scripts/x.mjs',
      '  1:1  error  Parsing error',
      '',
      '✖ 3 problems (2 errors, 1 warning)',
    ].join('\n');
    expect(eslintFiles(out, root)).toEqual(['packages/core/src/floating.ts', 'scripts/x.mjs']);
  });

  it('names the files of tsc errors once each', () => {
    const out = [
      "packages/core/src/bad.ts(1,14): error TS2322: Type 'string' is not assignable to type 'number'.",
      'packages/core/src/bad.ts(2,1): error TS2304: Cannot find name "x".',
      "packages/cli/src/c.ts(5,7): error TS2339: Property 'y' does not exist.",
    ].join('\n');
    expect(tscFiles(out, root)).toEqual(['packages/core/src/bad.ts', 'packages/cli/src/c.ts']);
  });

  it('maps failed compiled jest tests back to their sources', () => {
    const out = [
      'PASS packages/core/dist/config/parse.test.js',
      'FAIL packages/core/dist/demo/fail.test.js (5.2 s)',
      '  ● demo › fails',
      'FAIL scripts/other.test.js',
    ].join('\n');
    expect(jestFiles(out, root)).toEqual(['packages/core/src/demo/fail.test.ts', 'scripts/other.test.js']);
  });
});

describe('quality gate options', () => {
  it('parses --only, --skip and --test-pattern', () => {
    expect(parseArgs(['--only', 'format,lint', '--skip=test', '--test-pattern', 'core'])).toEqual({
      only: ['format', 'lint'],
      skip: ['test'],
      testPattern: 'core',
    });
    expect(() => parseArgs(['--fast'])).toThrow(/unknown option --fast/);
  });

  it('keeps the order of the steps and rejects unknown names', () => {
    const all = ['format', 'lint', 'typecheck', 'test', 'ruff'];
    expect(selectSteps(all, { only: ['test', 'format'], skip: [] })).toEqual(['format', 'test']);
    expect(selectSteps(all, { only: null, skip: ['lint', 'ruff'] })).toEqual(['format', 'typecheck', 'test']);
    expect(() => selectSteps(all, { only: ['lnt'], skip: [] })).toThrow(/unknown step "lnt"/);
  });
});

describe('config/quality.json', () => {
  it('accepts extra steps, optional by default', () => {
    expect(
      parseQualityConfig('{ "steps": [{ "name": "ruff", "command": ["ruff", "check", "."] }] }'),
    ).toEqual({
      steps: [{ name: 'ruff', command: ['ruff', 'check', '.'], optional: true }],
    });
  });

  it('rejects a shell string, an unknown key and a clash with a built-in step', () => {
    expect(() => parseQualityConfig('{ "steps": [{ "name": "ruff", "command": "ruff check ." }] }')).toThrow(
      /^config\/quality\.json: \$\.steps\[0\]\.command: /,
    );
    expect(() => parseQualityConfig('{ "step": [] }')).toThrow(/Unrecognized key/);
    expect(() => parseQualityConfig('{ "steps": [{ "name": "lint", "command": ["x"] }] }')).toThrow(
      /clashes/,
    );
  });
});

describe('findOnPath', () => {
  it('honours PATHEXT on Windows and skips what is absent', () => {
    const files = new Set(['C:\\Python\\Scripts\\ruff.EXE']);
    const opts = {
      pathEnv: 'C:\\none;C:\\Python\\Scripts',
      pathExt: '.COM;.EXE',
      platform: 'win32',
      exists: (p: string) => files.has(p),
    };
    expect(findOnPath('ruff', opts)).toBe('C:\\Python\\Scripts\\ruff.EXE');
    expect(findOnPath('pytest', opts)).toBeNull();
  });

  it('searches POSIX PATH entries in order', () => {
    const opts = { pathEnv: '/a:/b', platform: 'linux', exists: (p: string) => p === '/b/ruff' };
    expect(findOnPath('ruff', opts)).toBe('/b/ruff');
  });
});

describe('renderSummary', () => {
  it('names the failed steps and their files', () => {
    const text = renderSummary([
      { name: 'format', status: 'failed', seconds: 1.23, log: 'logs/quality/format.log', files: ['a.ts'] },
      { name: 'ruff', status: 'skipped', seconds: 0, log: null, files: [], note: 'ruff not found on PATH' },
    ]);
    expect(text).toContain('| format | failed  | 1.2     | logs/quality/format.log | a.ts ');
    expect(text).toContain('ruff not found on PATH');
    expect(text).toContain('format failed in:\n- a.ts\n');
    expect(text).toContain('quality: FAILED (format)');
  });

  it('lists many files below the table instead of inside it', () => {
    const files = ['a.ts', 'b.ts', 'c.ts', 'd.ts'];
    const text = renderSummary([
      { name: 'lint', status: 'failed', seconds: 2, log: 'logs/quality/lint.log', files },
    ]);
    expect(text).toContain('| 4 files, listed below |');
    expect(text).toContain('lint failed in:\n- a.ts\n- b.ts\n- c.ts\n- d.ts\n');
  });

  it('says passed when nothing failed', () => {
    const text = renderSummary([
      { name: 'test', status: 'passed', seconds: 2, log: 'logs/quality/test.log', files: [] },
    ]);
    expect(text.trimEnd().endsWith('quality: passed')).toBe(true);
  });
});
