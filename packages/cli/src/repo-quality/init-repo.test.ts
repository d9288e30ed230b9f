import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { parse } from 'yaml';
import { GATE_COMMAND, WORKFLOW_FILE } from '@headless/core/repo-quality/ci-workflow';
import { findExecutableOnHost } from '@headless/core/tool/find-executable';
import { git, makeGitRepo } from '@headless/test-support/git-repo';
import { makeTempRoot } from '@headless/test-support/temp-root';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin.js');
// The SchemaStore github-workflow JSON schema, compiled into action-validator (a devDependency).
const { validateWorkflow } = createRequire(import.meta.url)('@action-validator/core') as {
  validateWorkflow(this: void, src: string): { errors: unknown[] };
};

function headless(args: string[], cwd: string): { code: number; out: string } {
  try {
    const out = execFileSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', stdio: 'pipe' });
    return { code: 0, out };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, out: `${e.stdout}${e.stderr}` };
  }
}

/** `git commit` through the hook; its exit code and everything it printed. */
function commit(repo: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-q', '-m', 'change'],
      { cwd: repo, env: { ...process.env, ...env }, windowsHide: true, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

// Real ruff, pytest, git and node processes: slow on a loaded two-core machine.
jest.setTimeout(180_000);

describe('headless init --ci and --hooks', () => {
  let root: string;
  let repo: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ root, cleanup } = await makeTempRoot('headless-init-repo-'));
    repo = await makeGitRepo(path.join(root, 'repo'));
  });
  afterEach(() => cleanup());

  it('writes a workflow that the GitHub Actions workflow schema accepts and that runs the local command', async () => {
    const r = headless(['init', '--ci', '--repo', repo, '--headless-repo', 'example/headless'], root);
    expect(r).toEqual({ code: 0, out: `wrote ${path.join(repo, WORKFLOW_FILE)}\n` });
    const text = await fs.readFile(path.join(repo, WORKFLOW_FILE), 'utf8');
    expect(validateWorkflow(text).errors).toEqual([]);
    // The validator is not a rubber stamp: a job without runs-on is refused.
    expect(validateWorkflow(text.replace(/ {4}runs-on: .*\n/, '')).errors.length).toBeGreaterThan(0);

    const wf = parse(text) as {
      on: Record<string, unknown>;
      jobs: {
        quality: {
          'runs-on': string;
          strategy: { matrix: { os: string[] } };
          steps: { name?: string; run?: string; uses?: string; if?: string; with?: Record<string, string> }[];
        };
      };
    };
    expect(Object.keys(wf.on)).toEqual(['push', 'pull_request']);
    expect(wf.jobs.quality.strategy.matrix.os).toEqual(['windows-latest', 'ubuntu-latest']);
    const steps = wf.jobs.quality.steps;
    expect(steps.find((s) => s.name === 'Quality gate')?.run).toBe(GATE_COMMAND);
    expect(GATE_COMMAND).toBe('headless quality --repo .');
    expect(steps.map((s) => s.uses).filter(Boolean)).toEqual(
      expect.arrayContaining([
        'actions/setup-node@v4',
        'actions/setup-python@v5',
        'actions/upload-artifact@v4',
      ]),
    );
    const upload = steps.find((s) => s.uses === 'actions/upload-artifact@v4');
    expect(upload).toMatchObject({ if: 'always()', with: { path: 'logs/quality/' } });
    expect(text).toContain('Install-Module Pester -MinimumVersion 5.0');

    const again = headless(['init', '--ci', '--repo', repo, '--headless-repo', 'example/headless'], root);
    expect(again.code).toBe(2);
    expect(again.out).toContain('already exists: keep it, or add --force to overwrite it');
    expect(
      headless(['init', '--ci', '--force', '--repo', repo, '--headless-repo', 'example/headless'], root).code,
    ).toBe(0);
    expect(
      headless(['init', '--ci', '--force', '--repo', repo, '--headless-repo', 'not a repo'], root).code,
    ).toBe(2);
  });

  const haveRuff = findExecutableOnHost('ruff', process.env) !== null;
  (haveRuff ? it : it.skip)(
    `installs a pre-commit hook that refuses a staged Ruff finding and lets a clean commit through${haveRuff ? '' : ' (skipped: ruff not on PATH; pip install ruff)'}`,
    async () => {
      const r = headless(['init', '--hooks', '--repo', repo, '--root', root], root);
      expect(r.code).toBe(0);
      const hook = path.join(repo, '.git', 'hooks', 'pre-commit');
      expect(r.out).toBe(`wrote ${hook}\n`);

      await fs.writeFile(path.join(repo, 'calc.py'), 'import os\n\n\ndef add(a, b):\n    return a + b\n');
      git(repo, 'add', 'calc.py');
      const refused = await commit(repo, {});
      expect(refused.code).not.toBe(0);
      expect(refused.out).toContain('calc.py:1:8 F401 `os` imported but unused');
      expect(git(repo, 'log', '--oneline')).not.toMatch(/change/);

      await fs.writeFile(path.join(repo, 'calc.py'), 'def add(a, b):\n    return a + b\n');
      git(repo, 'add', 'calc.py');
      const clean = await commit(repo, {});
      expect(clean.code).toBe(0);
      expect(git(repo, 'log', '--oneline')).toMatch(/change/);
    },
  );

  it('never blocks a commit because headless is missing', async () => {
    expect(headless(['init', '--hooks', '--repo', repo, '--root', root], root).code).toBe(0);
    const hook = path.join(repo, '.git', 'hooks', 'pre-commit');
    // The headless that installed it is gone, and there is none on PATH.
    const text = await fs.readFile(hook, 'utf8');
    await fs.writeFile(
      hook,
      text.replace(/^bin=.*$/m, `bin='${path.join(root, 'gone', 'bin.js').replace(/\\/g, '/')}'`),
    );
    await fs.writeFile(path.join(repo, 'calc.py'), 'import os\n');
    git(repo, 'add', 'calc.py');
    const gitDir = path.dirname(findExecutableOnHost('git', process.env) ?? '/usr/bin/git');
    const r = await commit(repo, { PATH: [gitDir, '/usr/bin', '/bin'].join(path.delimiter) });
    expect(r.out).toContain('headless pre-commit: headless not found; this commit was not checked');
    expect(r.code).toBe(0);

    const again = headless(['init', '--hooks', '--repo', repo, '--root', root], root);
    expect(again.code).toBe(0);
    await fs.writeFile(hook, '#!/bin/sh\nexit 0\n');
    const foreign = headless(['init', '--hooks', '--repo', repo, '--root', root], root);
    expect(foreign.code).toBe(2);
    expect(foreign.out).toContain('already exists (not written by headless): add --force to replace it');
  });

  it('adds a local hook to .pre-commit-config.yaml, keeping its comments, once', async () => {
    const config =
      '# ruff hooks from the blueprint\nrepos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n    rev: v0.16.9\n    hooks:\n      - id: ruff\n';
    await fs.writeFile(path.join(repo, '.pre-commit-config.yaml'), config);
    const r = headless(['init', '--hooks', '--repo', repo, '--root', root], root);
    expect(r.code).toBe(0);
    const text = await fs.readFile(path.join(repo, '.pre-commit-config.yaml'), 'utf8');
    expect(text).toContain('# ruff hooks from the blueprint');
    const doc = parse(text) as {
      repos: { repo: string; hooks: { id: string; entry?: string; language?: string }[] }[];
    };
    expect(doc.repos.map((x) => x.repo)).toEqual(['https://github.com/astral-sh/ruff-pre-commit', 'local']);
    expect(doc.repos[1]?.hooks[0]).toMatchObject({
      id: 'headless-quality',
      entry: 'sh .headless/pre-commit',
      language: 'system',
    });
    expect(await fs.readFile(path.join(repo, '.headless', 'pre-commit'), 'utf8')).toContain(
      'quality --staged --repo .',
    );
    headless(['init', '--hooks', '--repo', repo, '--root', root], root);
    expect(await fs.readFile(path.join(repo, '.pre-commit-config.yaml'), 'utf8')).toBe(text);
    expect(await fs.stat(path.join(repo, '.git', 'hooks', 'pre-commit')).catch(() => null)).toBeNull();
  });
});
