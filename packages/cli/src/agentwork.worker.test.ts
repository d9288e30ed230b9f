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

/** Worker tests of issue 13: worktrees, `after`, results (acceptance checks 1–3). */
describe('a worktree per task', () => {
  let w: WorkerRoot;
  let repo: string;
  beforeEach(async () => {
    w = await makeWorkerRoot({
      policies: { worker: { concurrency: 3 } },
      tools: (t) => {
        const claude = t.tools?.['claude'];
        if (claude) claude.concurrency = 3;
      },
      env: { FAKE_DELAY_MS: '2000' },
    });
    repo = await makeGitRepo(path.join(w.root, 'repo'));
  });
  afterEach(() => w.cleanup());

  it('three tasks on one repo run at once, each on its own branch, and the main checkout is untouched', async () => {
    const head = git(repo, 'rev-parse', 'HEAD').trim();
    const ids = ['wt-a', 'wt-b', 'wt-c'];
    await dropTasks(
      w.root,
      'three.jsonl',
      ids.map((id) => ({
        id,
        tool: 'claude',
        repo: 'repo',
        prompt: `write ${id}.txt`,
        worktree: true,
        env: { FAKE_WRITE_FILE: `${id}.txt` },
      })),
    );
    await runUntilIdle(w);
    const ledger = await ledgerOf(w);
    const starts = ledger.filter((l) => l.event === 'attempt.start').map((l) => Date.parse(l.ts));
    const ends = ledger.filter((l) => l.event === 'attempt.end').map((l) => Date.parse(l.ts));
    expect(starts).toHaveLength(3);
    // Overlap: every attempt started before the first one ended.
    expect(Math.max(...starts)).toBeLessThan(Math.min(...ends));
    expect(git(repo, 'rev-parse', 'HEAD').trim()).toBe(head);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    for (const id of ids) {
      const rec = (await w.store.get(id))?.record;
      expect(rec?.state).toBe('done');
      expect(git(repo, 'rev-list', '--count', `${head}..headless/${id}`).trim()).toBe('1');
      expect(git(repo, 'show', '--name-only', '--format=%s', `headless/${id}`).trim().split('\n')).toEqual([
        `${id}: write ${id}.txt`,
        '',
        `${id}.txt`,
      ]);
      expect(rec?.result?.worktree).toMatchObject({ branch: `headless/${id}`, baseSha: head });
      expect(rec?.result?.worktree?.changedFiles).toEqual([
        { path: `${id}.txt`, status: 'A', insertions: 1, deletions: 0 },
      ]);
    }
    const calls = await fakeCalls(w);
    expect(calls.map((c) => c.cwd).sort()).toEqual(
      ids.map((id) => path.join(w.root, '.tasks', 'worktrees', id)).sort(),
    );
    const shown = cli(w.root, 'show', 'wt-b');
    expect(shown.status).toBe(0);
    expect(shown.stdout).toContain(head);
    const finalMessage = (await w.store.get('wt-b'))?.record.result?.finalMessage;
    expect(finalMessage).toBeTruthy();
    expect(shown.stdout).toContain(finalMessage);

    // Acceptance 6: clean removes the finished tasks' worktrees and keeps one left dirty.
    await fs.writeFile(path.join(w.root, '.tasks', 'worktrees', 'wt-c', 'notes.txt'), 'mine\n');
    const cleaned = cli(w.root, 'clean', '--older-than', '0d');
    expect(cleaned.status).toBe(0);
    expect(cleaned.stdout).toMatch(/removed wt-a: worktree and branch headless\/wt-a/);
    expect(cleaned.stdout).toMatch(/removed wt-b: /);
    expect(cleaned.stdout).toMatch(/kept wt-c: 1 uncommitted file \(notes\.txt\)/);
    const left = await fs.readdir(path.join(w.root, '.tasks', 'worktrees'));
    expect(left.filter((n) => !n.startsWith('.'))).toEqual(['wt-c']);
    expect(git(repo, 'branch', '--list', 'headless/*').replace(/[*+ ]/g, '').trim()).toBe('headless/wt-c');
  });

  it("a base that does not exist fails the task with git's reason, and nothing runs in the main checkout", async () => {
    await dropTasks(w.root, 'bad.jsonl', [
      {
        id: 'wt-bad',
        tool: 'claude',
        repo: 'repo',
        prompt: 'write x',
        worktree: true,
        base: 'no-such-branch',
        env: { FAKE_WRITE_FILE: 'x.txt' },
      },
    ]);
    await runUntilIdle(w);
    const rec = (await w.store.get('wt-bad'))?.record;
    expect(rec?.state).toBe('failed');
    expect(rec?.reason).toMatch(
      /cannot make its worktree from base "no-such-branch" in .*: fatal: (not a valid object name|invalid reference)/,
    );
    expect(await fakeCalls(w)).toEqual([]);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(rec?.attempts).toBe(1);
  });
});

describe('after', () => {
  let w: WorkerRoot;
  beforeEach(async () => {
    w = await makeWorkerRoot({ policies: { worker: { concurrency: 2 } } });
  });
  afterEach(() => w.cleanup());

  it('a2 failing ends a3 as dependency_failed without starting; b2 starts after b1 ended', async () => {
    const task = (id: string, after: string[], scenario = 'ok') => ({
      id,
      tool: 'claude',
      prompt: `SCENARIO: ${scenario}\n${id}`,
      after,
      worktree: false,
    });
    await dropTasks(w.root, 'chain.jsonl', [
      task('a1', []),
      task('a2', ['a1'], 'no-such-scenario'),
      task('a3', ['a2']),
      task('b1', []),
      task('b2', ['b1']),
    ]);
    await runUntilIdle(w);
    const state = async (id: string) => (await w.store.get(id))?.record;
    expect((await state('a1'))?.state).toBe('done');
    expect((await state('a2'))?.state).toBe('failed');
    const a3 = await state('a3');
    expect(a3?.state).toBe('failed');
    expect(a3?.attempts).toBe(0);
    expect(a3?.reason).toMatch(/^dependency_failed: task "a2" it waits for failed/);
    expect(a3?.result?.outcome).toBe('dependency_failed');
    const ledger = await ledgerOf(w);
    expect(ledger.filter((l) => l.task === 'a3' && l.event === 'attempt.start')).toEqual([]);
    expect(ledger.find((l) => l.task === 'a3' && l.event === 'task.failed')).toMatchObject({
      outcome: 'dependency_failed',
    });
    const at = (id: string, event: string) =>
      Date.parse(ledger.find((l) => l.task === id && l.event === event)?.ts ?? '');
    expect(at('b2', 'attempt.start')).toBeGreaterThanOrEqual(at('b1', 'task.done'));
    expect(at('a2', 'attempt.start')).toBeGreaterThanOrEqual(at('a1', 'task.done'));
  });

  it('a cycle is refused at intake, naming it', async () => {
    await dropTasks(w.root, 'cycle.jsonl', [
      { id: 'c1', tool: 'claude', prompt: 'x', after: ['c2'] },
      { id: 'c2', tool: 'claude', prompt: 'y', after: ['c1'] },
    ]);
    await runUntilIdle(w);
    expect(await w.store.get('c1')).toBeUndefined();
    const rejected = (await ledgerOf(w)).filter((l) => l.event === 'task.rejected');
    expect(rejected.map((r) => r.reason)).toEqual([
      'field "after": a cycle c1 → c2 → c1: no task of it could ever start',
      'field "after": a cycle c2 → c1 → c2: no task of it could ever start',
    ]);
    expect(await fakeCalls(w)).toEqual([]);
  });
});
