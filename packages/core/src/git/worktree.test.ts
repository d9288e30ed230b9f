import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from '../process/test-kit.js';
import { createGitRunner } from './git-run.js';
import {
  commitAttempt,
  commitMessage,
  parseNumstat,
  uncommittedFiles,
  worktreeChanges,
} from './worktree-changes.js';
import { isGitWorkTree, prepareWorktree, wantsWorktree, WorktreeError, worktreePath } from './worktree.js';

const IDENT = {
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.invalid',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.invalid',
};
function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: { ...process.env, ...IDENT, GIT_TERMINAL_PROMPT: '0' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

let root: string;
let repo: string;
let cleanup: () => Promise<void>;
const run = createGitRunner({ env: { ...process.env, ...IDENT } });

beforeEach(async () => {
  ({ dir: root, cleanup } = await tempDir('headless-wt-'));
  repo = path.join(root, 'repo');
  await fs.mkdir(repo);
  git(repo, 'init', '-q', '-b', 'main');
  await fs.writeFile(path.join(repo, 'README.md'), '# test\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'initial');
});
afterEach(() => cleanup());

describe('prepareWorktree', () => {
  it('makes headless/<id> under .tasks/worktrees from HEAD and leaves the main checkout alone', async () => {
    const head = git(repo, 'rev-parse', 'HEAD').trim();
    const wt = await prepareWorktree(run, { root, id: 't1', repo });
    expect(wt).toEqual({
      id: 't1',
      repo,
      path: worktreePath(root, 't1'),
      branch: 'headless/t1',
      base: 'HEAD',
      baseSha: head,
    });
    expect(git(wt.path, 'symbolic-ref', 'HEAD').trim()).toBe('refs/heads/headless/t1');
    expect(git(repo, 'symbolic-ref', 'HEAD').trim()).toBe('refs/heads/main');
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });

  it('starts from a given base (a tag) and records its SHA', async () => {
    git(repo, 'tag', 'v1');
    await fs.writeFile(path.join(repo, 'later.txt'), 'x\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'later');
    const wt = await prepareWorktree(run, { root, id: 't2', repo, base: 'v1' });
    expect(wt.base).toBe('v1');
    expect(wt.baseSha).toBe(git(repo, 'rev-parse', 'v1^{commit}').trim());
    await expect(fs.access(path.join(wt.path, 'later.txt'))).rejects.toThrow();
  });

  it("refuses a base that does not exist with git's reason, and makes nothing", async () => {
    const err = await prepareWorktree(run, { root, id: 't3', repo, base: 'no-such-branch' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorktreeError);
    expect((err as WorktreeError).op).toBe('add');
    expect((err as WorktreeError).message).toMatch(/from base "no-such-branch".*: fatal: .*no-such-branch/);
    await expect(fs.access(worktreePath(root, 't3'))).rejects.toThrow();
    expect(git(repo, 'branch', '--list', 'headless/*')).toBe('');
  });

  it('refuses a folder that is not a git repository instead of running there', async () => {
    const plain = path.join(root, 'plain');
    await fs.mkdir(plain);
    await expect(prepareWorktree(run, { root: plain, id: 't4', repo: plain })).rejects.toMatchObject({
      op: 'repo',
      message: expect.stringMatching(/not in a git repository.*"worktree": false/) as unknown as string,
    });
  });

  it('reuses the worktree on a retry, files and all', async () => {
    const first = await prepareWorktree(run, { root, id: 't5', repo });
    await fs.writeFile(path.join(first.path, 'wip.txt'), 'half done\n');
    const again = await prepareWorktree(run, { root, id: 't5', repo, recorded: first });
    expect(again).toEqual(first);
    expect(await fs.readFile(path.join(again.path, 'wip.txt'), 'utf8')).toBe('half done\n');
  });

  it('re-attaches the branch when its folder was deleted, keeping its commits', async () => {
    const first = await prepareWorktree(run, { root, id: 't6', repo });
    await fs.writeFile(path.join(first.path, 'a.txt'), 'a\n');
    await commitAttempt(run, { id: 't6', worktreePath: first.path, attempt: 1, prompt: 'add a' });
    await fs.rm(first.path, { recursive: true, force: true });
    const again = await prepareWorktree(run, { root, id: 't6', repo, recorded: first });
    expect(again.baseSha).toBe(first.baseSha);
    expect(await fs.readFile(path.join(again.path, 'a.txt'), 'utf8')).toBe('a\n');
  });

  it('keeps the worktrees out of git status when the root is the repository itself', async () => {
    await prepareWorktree(run, { root: repo, id: 't7', repo });
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });
});

describe('commitAttempt and worktreeChanges', () => {
  it('commits what the attempt changed and reports base, head, diffstat and files', async () => {
    const wt = await prepareWorktree(run, { root, id: 'c1', repo });
    await fs.writeFile(path.join(wt.path, 'new.txt'), 'one\ntwo\n');
    await fs.writeFile(path.join(wt.path, 'README.md'), '# changed\n');
    const res = await commitAttempt(run, {
      id: 'c1',
      worktreePath: wt.path,
      attempt: 1,
      prompt: 'Write new.txt\nand more detail',
      author: { name: 'Agent Smith', email: 'agent@example.invalid' },
    });
    expect(res.committed).toBe(true);
    expect(git(wt.path, 'log', '-1', '--format=%an <%ae>|%s').trim()).toBe(
      'Agent Smith <agent@example.invalid>|c1: Write new.txt',
    );
    const changes = await worktreeChanges(run, 'c1', wt.path, wt.baseSha);
    expect(changes).toEqual({
      baseSha: wt.baseSha,
      headSha: res.headSha,
      diffstat: { files: 2, insertions: 3, deletions: 1 },
      changedFiles: [
        { path: 'README.md', status: 'M', insertions: 1, deletions: 1 },
        { path: 'new.txt', status: 'A', insertions: 2, deletions: 0 },
      ],
    });
    expect(await uncommittedFiles(run, wt.path)).toEqual([]);
  });

  it('commits nothing when nothing changed', async () => {
    const wt = await prepareWorktree(run, { root, id: 'c2', repo });
    const res = await commitAttempt(run, { id: 'c2', worktreePath: wt.path, attempt: 1 });
    expect(res).toEqual({ committed: false, headSha: wt.baseSha });
  });

  it('commits without any git identity configured (a fresh account under Task Scheduler)', async () => {
    const home = path.join(root, 'home');
    await fs.mkdir(home);
    const bare = createGitRunner({
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: path.join(home, 'none'),
      },
    });
    const wt = await prepareWorktree(bare, { root, id: 'c3', repo });
    await fs.writeFile(path.join(wt.path, 'x.txt'), 'x\n');
    expect((await commitAttempt(bare, { id: 'c3', worktreePath: wt.path, attempt: 2 })).committed).toBe(true);
    expect(git(wt.path, 'log', '-1', '--format=%an|%s').trim()).toBe('headless|c3: changes of attempt 2');
  });

  it('lists uncommitted files, untracked ones included', async () => {
    const wt = await prepareWorktree(run, { root, id: 'c4', repo });
    await fs.writeFile(path.join(wt.path, 'loose.txt'), 'x\n');
    expect(await uncommittedFiles(run, wt.path)).toEqual(['loose.txt']);
  });
});

describe('commit message and numstat parsing', () => {
  it('takes the first non-empty prompt line and keeps the subject at 72 characters', () => {
    expect(commitMessage('t', 1, '\n  Fix the bug  \nmore')).toBe(
      't: Fix the bug\n\nheadless task t, attempt 1.\n',
    );
    const long = commitMessage('t', 1, 'x'.repeat(200)).split('\n')[0] as string;
    expect(long.length).toBe(72);
    expect(long.endsWith('…')).toBe(true);
  });

  it('reads binary files as unknown counts', () => {
    expect(parseNumstat('-\t-\tlogo.png\u00003\t1\tsrc/a b.ts\u0000')).toEqual(
      new Map([
        ['logo.png', { insertions: null, deletions: null }],
        ['src/a b.ts', { insertions: 3, deletions: 1 }],
      ]),
    );
  });
});

describe('wantsWorktree', () => {
  it("takes the task's field, else the tool's default when the repo is a git repository", async () => {
    expect(wantsWorktree({ worktree: false }, { worktree: true }, true)).toBe(false);
    expect(wantsWorktree({ worktree: true }, { worktree: false }, false)).toBe(true);
    expect(wantsWorktree({}, { worktree: true }, true)).toBe(true);
    expect(wantsWorktree({}, { worktree: true }, false)).toBe(false);
    expect(await isGitWorkTree(run, repo)).toBe(true);
    expect(await isGitWorkTree(run, path.dirname(repo))).toBe(false);
  });
});
