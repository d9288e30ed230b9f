import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { FAKES_DIR, pathWithFakes } from './fakes.js';
import { loadFixtures, renderFixture, type FixtureCase } from './fixtures.js';
import { FAKES_BY_PATH, posixOnly } from './platform.js';

/**
 * One source for both sides: each fake CLI prints exactly the recorded output of its case (core's
 * cli-fixtures.test.ts checks that the parsers classify the same text as the case says).
 */

const fakesByPath = posixOnly(FAKES_BY_PATH);
let dir: string;
beforeAll(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'fixtures-')));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const UNKNOWN_ID = '7f9f9a2e-1b3c-4d5e-8f90-123456789abc';

/** The command line that makes the fake print a case: the default one, or what the case needs. */
function callFor(tool: string, c: FixtureCase): { args: string[]; env?: Record<string, string> } | undefined {
  const base: Record<string, string[]> = {
    claude: ['-p', 'hi', '--output-format', 'json', '--permission-mode', 'acceptEdits'],
    codex: ['exec', '--json', '--skip-git-repo-check', '-C', dir, '--sandbox', 'workspace-write', 'hi'],
    gemini: ['-p', 'hi', '--output-format', 'json', '--skip-trust', '--approval-mode', 'auto_edit'],
  };
  const state = { FAKE_STATE_DIR: dir };
  const special: Record<string, { args: string[]; env?: Record<string, string> }> = {
    'claude/bad-flag': { args: ['-p', 'hi', '--output-format', 'json', '--no-editor'] },
    'claude/bad-value': { args: ['-p', 'hi', '--output-format', 'xml'] },
    'claude/stream-json-needs-verbose': { args: ['-p', 'hi', '--output-format', 'stream-json'] },
    'claude/bad-session-id': { args: ['-p', 'hi', '--output-format', 'json', '--session-id', 'notauuid'] },
    'claude/session-not-found': { args: [...base.claude!, '--resume', UNKNOWN_ID], env: state },
    'codex/bad-flag': { args: ['exec', '--non-interactive', 'hi'] },
    'codex/bad-sandbox': { args: ['exec', '--json', '--skip-git-repo-check', '--sandbox', 'wrong', 'hi'] },
    'codex/untrusted': { args: ['exec', '--json', '-C', dir, '--sandbox', 'workspace-write', 'hi'] },
    'codex/session-not-found': {
      args: ['exec', '--json', '--skip-git-repo-check', '-C', dir, 'resume', UNKNOWN_ID, 'go on'],
      env: state,
    },
    'gemini/bad-flag': { args: ['-p', 'hi', '--non-interactive'] },
    'gemini/bad-value': { args: ['-p', 'hi', '--output-format', 'json', '--approval-mode', 'wrong'] },
    'gemini/untrusted': { args: ['-p', 'hi', '--output-format', 'json'] },
    'gemini/no-input': { args: ['-p', '', '--output-format', 'json', '--skip-trust'] },
    'gemini/session-not-found': { args: [...base.gemini!, '--resume', UNKNOWN_ID], env: state },
  };
  const key = `${tool}/${c.name}`;
  // Running as root is what claude refuses; a case the fakes cannot reach from here is left out.
  if (key === 'claude/root-bypass') return undefined;
  if (special[key]) return special[key];
  if (c.scenario === undefined || c.exitCode === null) return undefined;
  return { args: base[tool]!, env: { FAKE_SCENARIO: c.scenario } };
}

fakesByPath.describeEach(['claude', 'codex', 'gemini'] as const)(
  'fake %s prints the recorded outputs',
  (tool) => {
    const file = loadFixtures(tool);
    const cases = file.cases.filter((c) => callFor(tool, c) !== undefined);
    it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const call = callFor(tool, c)!;
      const r = spawnSync(path.join(FAKES_DIR, tool), call.args, {
        cwd: dir,
        env: {
          PATH: pathWithFakes(),
          HOME: dir,
          FAKE_SESSION_ID: file.defaults.SESSION_ID!,
          GEMINI_CLI_TRUST_WORKSPACE: '',
          ...call.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        encoding: 'utf8',
        timeout: 15000,
      });
      const want = renderFixture(file, c, { RESUME_ID: UNKNOWN_ID });
      expect({ stdout: r.stdout, stderr: r.stderr, exitCode: r.status }).toEqual({
        ...want,
        exitCode: c.exitCode,
      });
    });

    it('has a scenario for every case the worker can meet at run time', () => {
      const unreachable = file.cases.filter((c) => callFor(tool, c) === undefined).map((c) => c.name);
      // Only cases that need root, or that never end (the runner's timeout ends them), are not replayed here.
      expect(unreachable.every((n) => /root|offline|retrying/.test(n))).toBe(true);
    });
  },
);
