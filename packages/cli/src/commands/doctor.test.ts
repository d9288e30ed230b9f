import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findExecutableOnHost } from '@headless/core/tool/find-executable';
import { makeTempRoot, writeConfig } from '@headless/test-support/temp-root';

const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin.js');
// Windows programs (node's crypto among them) need SystemRoot even in a minimal environment.
const systemEnv =
  process.platform === 'win32' ? { SystemRoot: process.env['SystemRoot'] ?? 'C:\\Windows' } : {};

describe('headless doctor (real CLI)', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  /** A PATH holding git and nothing else, so the AI CLIs are surely missing. */
  let onlyGit: string;
  beforeEach(async () => {
    ({ root, cleanup } = await makeTempRoot());
    const git = findExecutableOnHost('git', process.env);
    if (git === null) throw new Error('these tests need git on PATH');
    if (process.platform === 'win32') {
      // Git for Windows' cmd folder holds git.exe and its GUIs only; a symlink would need privileges.
      // posix-guard: portable (the symlink below is made only off Windows).
      onlyGit = path.dirname(git);
    } else {
      onlyGit = path.join(root, '.bin');
      await fs.mkdir(onlyGit);
      await fs.symlink(git, path.join(onlyGit, 'git'));
    }
  });
  afterEach(async () => {
    await cleanup();
  });

  const doctor = (...args: string[]) =>
    execa(process.execPath, [bin, 'doctor', '--root', root, ...args], {
      env: { PATH: onlyGit, HOME: root, ...systemEnv },
      extendEnv: false,
      stdin: 'ignore',
      windowsHide: true,
      reject: false,
    });

  it('reports git found and the AI CLIs missing with a hint, and exits 0', async () => {
    const r = await doctor();
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^git\s+git\s+.*git(\.exe)?\s+git version \d/m);
    for (const tool of ['aider', 'codex', 'claude']) {
      expect(r.stdout).toMatch(new RegExp(`^${tool}\\s+${tool}\\s+-\\s+-\\s+WARN`, 'm'));
      expect(r.stdout).toContain(
        `${tool} not found on PATH: install it or set "executable" for tools.${tool} in config/tools.json`,
      );
    }
  });

  it('prints one JSON object with --json', async () => {
    const r = await doctor('--json');
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout) as {
      tools: { tool: string; foundAt: string | null; version: string | null }[];
    };
    const byName = new Map(report.tools.map((t) => [t.tool, t]));
    expect(byName.get('git')?.version).toMatch(/^git version/);
    expect(byName.get('claude')?.foundAt).toBeNull();
  });

  it('stops at a bad config with its one-line error and exit code 2', async () => {
    await writeConfig(root, 'policies.json', { retry: { maxAttempts: -1 } });
    const r = await doctor();
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    // execa strips the final newline: one line means no newline left inside.
    expect(r.stderr.split('\n')).toEqual([
      'headless: config/policies.json: $.retry.maxAttempts: found -1, expected a positive integer (fix the value or delete the key to use the default)',
    ]);
  });

  it('ends with one stderr line and exit 2 for each of ten bad configs', async () => {
    const tools = { git: { executable: 'git' } };
    const cases: [file: 'tools.json' | 'policies.json', text: string, where: string][] = [
      ['policies.json', '{"retry":{"maxAttempts":"3"}}', '$.retry.maxAttempts: found "3", expected a number'],
      ['policies.json', '{"retry":{"attempts":3}}', '$.retry.attempts: found unknown key "attempts"'],
      ['policies.json', '{"worker":{"defaultTimeoutSec":-1}}', '$.worker.defaultTimeoutSec: found -1'],
      [
        'policies.json',
        '{"worker":{"concurrency":0}}',
        '$.worker.concurrency: found 0, expected a positive integer',
      ],
      [
        'tools.json',
        JSON.stringify({ tools, loops: { GitStatusLoop: { steps: [{ tool: 'gitt' }] } } }),
        '$.loops.GitStatusLoop.steps[0].tool: found "gitt", expected one of the tools git',
      ],
      ['policies.json', '{\n  "retry": {,}\n}', 'line 2 column 13: found invalid JSON'],
      ['tools.json', '', '$: found an empty file'],
      ['policies.json', '[]', '$: found [], expected a JSON object'],
      [
        'tools.json',
        JSON.stringify({
          tools: {
            git: { executable: 'git', patterns: [{ pattern: '(', class: 'permanent', reason: 'x' }] },
          },
        }),
        '$.tools.git.patterns[0].pattern: found "(", expected a valid regular expression',
      ],
      [
        'policies.json',
        '{"retry":{"jitter":"sometimes"}}',
        '$.retry.jitter: found "sometimes", expected one of',
      ],
    ];
    const results = await Promise.all(
      cases.map(async ([file, text]) => {
        const { root: caseRoot, cleanup: done } = await makeTempRoot();
        try {
          await fs.mkdir(path.join(caseRoot, 'config'));
          await fs.writeFile(path.join(caseRoot, 'config', file), text);
          return await execa(process.execPath, [bin, 'doctor', '--root', caseRoot], {
            env: { PATH: onlyGit, ...systemEnv },
            extendEnv: false,
            stdin: 'ignore',
            windowsHide: true,
            reject: false,
          });
        } finally {
          await done();
        }
      }),
    );
    results.forEach((r, i) => {
      const [file, , where] = cases[i] as (typeof cases)[number];
      expect({ exitCode: r.exitCode, lines: r.stderr.split('\n').length }).toEqual({ exitCode: 2, lines: 1 });
      expect(r.stderr.startsWith(`headless: config/${file}: ${where}`)).toBe(true);
    });
  });

  it('exits 1 when a folder cannot be used', async () => {
    await fs.writeFile(path.join(root, 'logs'), 'a file where the logs folder belongs');
    const r = await doctor();
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^logs\s+.*FAIL\s+is not a folder/m);
  });
});
