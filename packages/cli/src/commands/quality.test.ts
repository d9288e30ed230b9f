import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { findExecutableOnHost } from '@headless/core/tool/find-executable';
import { PWSH_FAKE_DIR } from '@headless/test-support/fakes';
import { makeTempRoot } from '@headless/test-support/temp-root';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin.js');

/** PATH without any folder that holds a pwsh: "no pwsh on the machine", whatever this machine has. */
const PATH_WITHOUT_PWSH = (process.env.PATH ?? '')
  .split(path.delimiter)
  .filter((dir) => findExecutableOnHost('pwsh', { PATH: dir }) === null)
  .join(path.delimiter);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function headless(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, PATH: PATH_WITHOUT_PWSH, ...env }, windowsHide: true, timeout: 200_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function write(dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fs.writeFile(path.join(dir, rel), text);
  }
}

interface JsonStep {
  name: string;
  status: string;
  failures: string[];
  log: string | null;
  note?: string;
}

const haveRuff = findExecutableOnHost('ruff', process.env) !== null;
const havePytest = findExecutableOnHost('pytest', process.env) !== null;
const missingPy = [!haveRuff && 'ruff', !havePytest && 'pytest'].filter(Boolean).join(' and ');
const itPy = missingPy === '' ? it : it.skip;

// Real ruff, pytest, git and node processes: slow on a loaded two-core machine.
jest.setTimeout(180_000);

describe('headless quality --repo', () => {
  let root: string;
  let repo: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ root, cleanup } = await makeTempRoot('headless-quality-'));
    repo = path.join(root, 'repo');
    await fs.mkdir(repo);
  });
  afterEach(() => cleanup());

  itPy(
    `fails a Python repo on a Ruff finding and a failing test, naming both, and passes it once fixed${missingPy ? ` (skipped: ${missingPy} not on PATH; pip install ${missingPy.replace(' and ', ' ')})` : ''}`,
    async () => {
      await write(repo, {
        'pyproject.toml':
          '[project]\nname = "demo"\nversion = "0.1.0"\n\n[tool.pytest.ini_options]\npythonpath = ["."]\n',
        'calc.py': 'import os\n\n\ndef add(a, b):\n    return a + b\n',
        'tests/test_calc.py':
          'from calc import add\n\n\ndef test_ok():\n    assert add(1, 2) == 3\n\n\ndef test_bad():\n    assert add(1, 1) == 3\n',
      });
      const text = await headless(['quality', '--repo', repo, '--root', root]);
      expect(text.code).toBe(1);
      expect(text.stdout).toContain('calc.py:1:8 F401 `os` imported but unused');
      expect(text.stdout).toContain('tests/test_calc.py::test_bad - assert 2 == 3');
      expect(text.stdout).toContain('quality: FAILED (ruff-check, pytest)');

      // The --json document is the summary.json the run wrote (--json itself: the Pester tests below).
      const summary = path.join(root, 'logs', 'quality', 'repo', 'summary.json');
      const json = { stdout: await fs.readFile(summary, 'utf8') };
      const result = JSON.parse(json.stdout) as { repo: string; passed: boolean; steps: JsonStep[] };
      expect(result.passed).toBe(false);
      expect(result.steps.map((s) => [s.name, s.status])).toEqual([
        ['ruff-format', 'passed'],
        ['ruff-check', 'failed'],
        ['pytest', 'failed'],
      ]);
      const byName = Object.fromEntries(result.steps.map((s) => [s.name, s]));
      expect(byName['ruff-check']?.failures).toEqual(['calc.py:1:8 F401 `os` imported but unused']);
      expect(byName['pytest']?.failures).toEqual(['tests/test_calc.py::test_bad - assert 2 == 3']);
      expect(byName['pytest']?.log).toBe(path.join(root, 'logs', 'quality', 'repo', 'pytest.log'));
      expect(await fs.readFile(path.join(root, 'logs', 'quality', 'repo', 'pytest.log'), 'utf8')).toMatch(
        /1 failed, 1 passed/,
      );

      await write(repo, {
        'calc.py': 'def add(a, b):\n    return a + b\n',
        'tests/test_calc.py':
          'from calc import add\n\n\ndef test_ok():\n    assert add(1, 2) == 3\n\n\ndef test_two():\n    assert add(1, 1) == 2\n',
      });
      const fixed = await headless(['quality', '--repo', repo, '--root', root]);
      expect(fixed.stdout.trimEnd().split('\n').at(-1)).toBe('quality: passed');
      expect(fixed.code).toBe(0);
    },
    // Two full gate runs (ruff twice, pytest) on a loaded two-core machine.
    240_000,
  );

  describe('a PowerShell repo', () => {
    beforeEach(() =>
      write(repo, {
        'Modules/AutomationSuite.psm1': "function Get-Greeting { 'Hello' }\n",
        'Tests/AutomationSuite.Tests.ps1': [
          "Describe 'AutomationSuite' {",
          "  It 'says hello' {",
          '    $true | Should -BeTrue',
          '  }',
          "  It 'fails on purpose' {",
          '    $false | Should -BeTrue',
          '  }',
          '}',
          '',
        ].join('\n'),
      }),
    );

    it('skips the detected Pester step when there is no pwsh, saying so', async () => {
      const r = await headless(['quality', '--repo', repo, '--root', root]);
      expect(r.stdout).toContain(
        'quality: pester skipped: pwsh not found (install PowerShell 7, then Install-Module Pester -MinimumVersion 5.0)',
      );
      expect(r.code).toBe(0);
    });

    it('fails a configured pwsh step when there is no pwsh', async () => {
      await write(repo, {
        '.headless/quality.json': JSON.stringify({
          steps: [
            { name: 'pester', argv: ['pwsh', '-NoProfile', '-NonInteractive', '-Command', 'Invoke-Pester'] },
          ],
        }),
      });
      const r = await headless(['quality', '--repo', repo, '--root', root, '--json']);
      expect(r.code).toBe(1);
      const step = (JSON.parse(r.stdout) as { steps: JsonStep[] }).steps[0];
      expect(step).toMatchObject({ name: 'pester', status: 'failed', note: 'pwsh not found on PATH' });
    });

    it("names Pester's failed tests (fake pwsh printing Pester 5's output and NUnit XML)", async () => {
      const PATH = `${PWSH_FAKE_DIR}${path.delimiter}${PATH_WITHOUT_PWSH}`;
      const r = await headless(['quality', '--repo', repo, '--root', root, '--json'], { PATH });
      expect(r.code).toBe(1);
      const step = (JSON.parse(r.stdout) as { steps: JsonStep[] }).steps[0];
      expect(step).toMatchObject({
        name: 'pester',
        status: 'failed',
        failures: ['AutomationSuite.fails on purpose - Expected $true, but got $false.'],
      });
      const log = await fs.readFile(step?.log ?? '', 'utf8');
      expect(log).toContain('[-] AutomationSuite.fails on purpose 7ms (5ms|2ms)');
      expect(log).toContain('Tests Passed: 1, Failed: 1, Skipped: 0 NotRun: 0');

      const missing = await headless(['quality', '--repo', repo, '--root', root], {
        PATH,
        FAKE_PESTER_MISSING: '1',
      });
      expect(missing.stdout).toContain('quality: pester skipped: Pester 5 not installed');
      expect(missing.code).toBe(0);
    });
  });

  it('exits 2 for an unknown step or a broken .headless/quality.json, naming the spot', async () => {
    await write(repo, { 'tool.py': 'print(1)\n' });
    const unknown = await headless(['quality', '--repo', repo, '--root', root, '--only', 'lint']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'unknown step "lint" (this repository\'s steps: ruff-format, ruff-check, pytest)',
    );

    await write(repo, { '.headless/quality.json': '{"steps":[{"name":"x","argv":"ruff check"}]}' });
    const bad = await headless(['quality', '--repo', repo, '--root', root]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/quality\.json: \$\.steps\[0\]\.argv: found "ruff check", expected an array/);

    const none = await headless(['quality', '--repo', path.join(root, 'nope'), '--root', root]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no such folder');
  });
});
