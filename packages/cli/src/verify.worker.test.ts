import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { runCli } from './testing/cli-run.js';
import { git, makeGitRepo } from '@headless/test-support/git-repo';
import {
  dropTasks,
  fakeCalls,
  ledgerOf,
  makeWorkerRoot,
  runUntilIdle,
  type WorkerRoot,
} from '@headless/queue-worker/testing/harness';

const cli = runCli;

const GOOD = 'export const add = (a, b) => a + b;\n';
const BROKEN = 'export const add = (a, b) => a - b;\n';
const FIXED = 'export const add = (a, b) => a + b; // fixed after the gate\n';

/**
 * A repo whose gate is one configured step, Node's own test runner on calc.test.mjs (no Python
 * needed, so this runs on every machine the tests run on).
 */
async function repoWithGate(dir: string): Promise<string> {
  const repo = await makeGitRepo(dir);
  await fs.writeFile(path.join(repo, 'calc.mjs'), GOOD);
  await fs.writeFile(
    path.join(repo, 'calc.test.mjs'),
    [
      "import test from 'node:test';",
      "import assert from 'node:assert/strict';",
      "import { add } from './calc.mjs';",
      "test('add adds', () => assert.equal(add(2, 3), 5));",
      '',
    ].join('\n'),
  );
  await fs.mkdir(path.join(repo, '.headless'));
  await fs.writeFile(
    path.join(repo, '.headless', 'quality.json'),
    JSON.stringify({ steps: [{ name: 'test', argv: [process.execPath, '--test', 'calc.test.mjs'] }] }),
  );
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'calc with a test');
  return repo;
}

/** The fake claude breaks `add`; told which test failed (FAKE_FIX_WHEN), it repairs it. */
const agentTask = (id: string, fixWhen: string) => ({
  id,
  tool: 'claude',
  repo: 'repo',
  prompt: 'SCENARIO: break-then-fix\nmake add faster',
  worktree: true,
  verify: true,
  env: { FAKE_EDIT_FILE: 'calc.mjs', FAKE_BREAK_TEXT: BROKEN, FAKE_FIX_TEXT: FIXED, FAKE_FIX_WHEN: fixWhen },
});

describe('the verify loop (issue 14, check 4)', () => {
  let w: WorkerRoot;
  let repo: string;
  beforeEach(async () => {
    // The fake's wait for piped input (claude waits ~3 s) shortened: the prompt goes as an argument.
    w = await makeWorkerRoot({ env: { FAKE_STDIN_WAIT_MS: '100' } });
    repo = await repoWithGate(path.join(w.root, 'repo'));
  });
  afterEach(() => w.cleanup());

  it('a gate failure resumes the agent with the failures; the fixed work passes in round 2 and the task is done', async () => {
    const base = git(repo, 'rev-parse', 'HEAD').trim();
    await dropTasks(w.root, 'v.jsonl', [agentTask('v1', 'add adds')]);
    await runUntilIdle(w);

    const rec = (await w.store.get('v1'))?.record;
    expect(rec?.state).toBe('done');
    expect(rec?.attempts).toBe(2);
    const rounds = rec?.result?.verify ?? [];
    expect(rounds.map((r) => [r.round, r.attempt, r.passed, r.failed])).toEqual([
      [1, 1, false, ['test']],
      [2, 2, true, []],
    ]);
    expect(rounds[0]?.failures.join('\n')).toContain('add adds');
    const log1 = rounds[0]?.logs[0] ?? '';
    expect(log1).toBe(path.join(w.root, 'logs', 'verify', 'v1', 'round-1', 'test.log'));
    expect(await fs.readFile(log1, 'utf8')).toMatch(/add adds/);

    // Round 2 continued the first session, with a prompt made of the gate's failures.
    const calls = await fakeCalls(w);
    expect(calls).toHaveLength(2);
    const first = calls[0]!.argv;
    const session = first[first.indexOf('--session-id') + 1];
    const second = calls[1]!.argv;
    expect(second[second.indexOf('--resume') + 1]).toBe(session);
    const prompt2 = second[second.indexOf('-p') + 1] ?? '';
    expect(prompt2).toMatch(/quality gate failed after your changes \(verify round 2 of 2\)/);
    expect(prompt2).toContain('add adds');
    expect(prompt2).toContain(log1);

    // The branch holds both rounds' commits and the fixed file; the main checkout is untouched.
    expect(git(repo, 'rev-list', '--count', `${base}..headless/v1`).trim()).toBe('2');
    expect(git(repo, 'show', 'headless/v1:calc.mjs')).toBe(FIXED);
    expect(git(repo, 'status', '--porcelain')).toBe('');

    const ledger = await ledgerOf(w, 'v1');
    const ends = ledger.filter((l) => l.event === 'attempt.end');
    expect(ends.map((l) => (l['verify'] as { round: number; passed: boolean }) ?? null)).toEqual([
      expect.objectContaining({ round: 1, passed: false, failed: ['test'] }),
      expect.objectContaining({ round: 2, passed: true }),
    ]);
    expect(ledger.find((l) => l.event === 'task.retry')?.reason).toMatch(
      /^quality gate failed: test: .*verify round 1 of 2; the agent is resumed/,
    );
    expect(ledger.filter((l) => l.event === 'task.done')).toHaveLength(1);

    const shown = cli(w.root, 'show', 'v1');
    if (process.env['SHOW_VERIFY']) process.stderr.write(shown.stdout);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toMatch(/verify: +round 1 after attempt 1: failed \(test\)/);
    expect(shown.stdout).toMatch(/ +round 2 after attempt 2: passed/);
    expect(shown.stdout).toContain(`log: ${log1}`);
    const json = JSON.parse(cli(w.root, 'show', 'v1', '--json').stdout) as { verify: unknown[] };
    expect(json.verify).toHaveLength(2);
  });

  it('work that still fails after the last round is held for a person with the failures, not done', async () => {
    // The agent never learns what to fix: the failures never name what it waits for.
    await dropTasks(w.root, 'v.jsonl', [agentTask('v2', 'a test name the gate never prints')]);
    await runUntilIdle(w);

    const rec = (await w.store.get('v2'))?.record;
    expect(rec?.state).toBe('quarantine');
    expect(rec?.quarantineKind).toBe('attention');
    expect(rec?.result?.outcome).toBe('verify_failed');
    expect(rec?.reason).toMatch(
      /^quality gate failed: test: .*\(verify round 2 of 2, none left; the work is kept\)/,
    );
    expect(rec?.result?.verify?.map((r) => r.passed)).toEqual([false, false]);
    expect(rec?.result?.verify?.[1]?.prompt).toBeUndefined();
    expect((await fakeCalls(w)).length).toBe(2);
    const attention = (await ledgerOf(w, 'v2')).find((l) => l.event === 'task.attention');
    expect(attention?.outcome).toBe('verify_failed');

    const report = cli(w.root, 'report', '--json');
    expect(report.status).toBe(0);
    expect(report.stdout).toContain('verify_failed');
  });

  it('a task without verify is done after the agent succeeds, with no gate run', async () => {
    const { verify: _v, ...plain } = agentTask('v3', 'add adds');
    await dropTasks(w.root, 'v.jsonl', [plain]);
    await runUntilIdle(w);
    const rec = (await w.store.get('v3'))?.record;
    expect(rec?.state).toBe('done');
    expect(rec?.result?.verify).toBeUndefined();
    expect(git(repo, 'show', 'headless/v3:calc.mjs')).toBe(BROKEN);
    await expect(fs.stat(path.join(w.root, 'logs', 'verify'))).rejects.toThrow(/ENOENT/);
  });
});
