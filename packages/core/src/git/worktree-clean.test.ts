import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from '../process/test-kit.js';
import { createGitRunner } from './git-run.js';
import { commitAttempt } from './worktree-changes.js';
import {
  humanBytes,
  listWorktrees,
  planClean,
  removeWorktree,
  worktreeUsage,
  type CleanOptions,
  type WorktreeEntry,
} from './worktree-clean.js';
import { prepareWorktree } from './worktree.js';

const IDENT = {
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.invalid',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.invalid',
};
const run = createGitRunner({ env: { ...process.env, ...IDENT } });
function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: { ...process.env, ...IDENT }, encoding: 'utf8' });
}

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-01T12:00:00Z');
const entry = (id: string, over: Partial<WorktreeEntry> = {}): WorktreeEntry => ({
  id,
  path: `/r/.tasks/worktrees/${id}`,
  branch: `headless/${id}`,
  repo: '/r',
  headSha: 'abc',
  dirtyFiles: [],
  merged: false,
  bytes: 10,
  mtimeMs: NOW - 30 * DAY,
  ...over,
});
const opts = (over: Partial<CleanOptions> = {}): CleanOptions => ({
  olderThanMs: 7 * DAY,
  merged: false,
  force: false,
  now: NOW,
  ...over,
});

describe('planClean', () => {
  const tasks: Record<string, { state: 'done' | 'failed' | 'queued' | 'processing'; endedAt?: string }> = {
    old: { state: 'done', endedAt: new Date(NOW - 10 * DAY).toISOString() },
    young: { state: 'failed', endedAt: new Date(NOW - 2 * DAY).toISOString() },
    running: { state: 'processing' },
    dirty: { state: 'done', endedAt: new Date(NOW - 10 * DAY).toISOString() },
  };
  const view = (id: string) => tasks[id];

  it('removes old finished worktrees and keeps running, young and dirty ones with the reason', () => {
    const plan = planClean(
      [entry('old'), entry('young'), entry('running'), entry('dirty', { dirtyFiles: ['a.txt', 'b.txt'] })],
      view,
      opts(),
    );
    expect(
      plan.map((d) => (d.action === 'keep' ? `${d.entry.id}: keep: ${d.why}` : `${d.entry.id}: remove`)),
    ).toEqual([
      'old: remove',
      'young: keep: ended 2d ago (younger than --older-than 7d)',
      'running: keep: task is processing',
      'dirty: keep: 2 uncommitted files (a.txt, b.txt): commit or copy them, or --force',
    ]);
  });

  it('with --force removes a dirty one too; with --merged keeps an unmerged one', () => {
    const dirty = entry('dirty', { dirtyFiles: ['a.txt'] });
    expect(planClean([dirty], view, opts({ force: true }))[0]?.action).toBe('remove');
    expect(planClean([entry('old')], view, opts({ merged: true }))[0]).toMatchObject({
      action: 'keep',
      why: "branch headless/old is not merged into its repo's HEAD",
    });
    expect(planClean([entry('old', { merged: true })], view, opts({ merged: true }))[0]?.action).toBe(
      'remove',
    );
  });

  it('ages a worktree without a task record by its folder time', () => {
    const orphan = entry('gone', { mtimeMs: NOW - DAY });
    expect(planClean([orphan], view, opts())[0]?.action).toBe('keep');
    expect(planClean([orphan], view, opts({ olderThanMs: 0 }))[0]?.action).toBe('remove');
  });
});

describe('listWorktrees and removeWorktree (real git)', () => {
  let root: string;
  let repo: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir('headless-clean-'));
    repo = path.join(root, 'repo');
    await fs.mkdir(repo);
    git(repo, 'init', '-q', '-b', 'main');
    await fs.writeFile(path.join(repo, 'README.md'), '# test\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'initial');
  });
  afterEach(() => cleanup());

  it('removes the clean worktree with its branch, keeps the dirty one, and reports sizes', async () => {
    const a = await prepareWorktree(run, { root, id: 'a', repo });
    await fs.writeFile(path.join(a.path, 'done.txt'), 'done\n');
    const { headSha } = await commitAttempt(run, { id: 'a', worktreePath: a.path, attempt: 1 });
    const b = await prepareWorktree(run, { root, id: 'b', repo });
    await fs.writeFile(path.join(b.path, 'loose.txt'), 'not committed\n');

    const entries = await listWorktrees(run, root);
    expect(entries.map((e) => [e.id, e.repo, e.headSha === headSha, e.dirtyFiles, e.merged])).toEqual([
      ['a', repo, true, [], false],
      ['b', repo, false, ['loose.txt'], true],
    ]);
    expect((await worktreeUsage(root)).count).toBe(2);

    const plan = planClean(entries, () => ({ state: 'done', endedAt: new Date().toISOString() }), {
      olderThanMs: 0,
      merged: false,
      force: false,
      now: Date.now() + 1000,
    });
    expect(plan.map((d) => d.action)).toEqual(['remove', 'keep']);
    const removed = await removeWorktree(run, plan[0]!.entry, false);
    expect(removed).toMatchObject({ id: 'a', branch: 'headless/a', headSha, merged: false });
    expect(removed.branchKept).toBeUndefined();
    expect(git(repo, 'branch', '--list', 'headless/*').trim()).toBe('+ headless/b');
    await expect(fs.access(a.path)).rejects.toThrow();
    expect(await fs.readFile(path.join(b.path, 'loose.txt'), 'utf8')).toBe('not committed\n');

    await removeWorktree(run, plan[1]!.entry, true);
    expect(await listWorktrees(run, root)).toEqual([]);
    expect(git(repo, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
  });

  it('removes a folder git no longer knows as plain files', async () => {
    const dir = path.join(root, '.tasks', 'worktrees', 'stray');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'f'), 'x');
    const [stray] = await listWorktrees(run, root);
    expect(stray?.repo).toBeUndefined();
    expect(
      planClean([stray!], () => undefined, {
        olderThanMs: 0,
        merged: false,
        force: false,
        now: Date.now() + 1,
      })[0],
    ).toMatchObject({
      action: 'keep',
    });
    await removeWorktree(run, stray!, true);
    await expect(fs.access(dir)).rejects.toThrow();
  });

  it('formats sizes', () => {
    expect([humanBytes(512), humanBytes(2048), humanBytes(50 * 1024 * 1024)]).toEqual([
      '512 B',
      '2.0 KB',
      '50 MB',
    ]);
  });
});
