import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { isAlive } from '../process/alive.js';
import { tempDir, waitFor } from '../process/test-kit.js';
import { findGitProcessesIn, isGitProgram, isInside, parseLsofCwd } from './git-processes.js';
import { decideLockRepair, parseIndexLockError, repairStaleIndexLock, resolveGitDir } from './index-lock.js';
import { posixOnly } from '../platform-kit.js';

const liveGitScan = posixOnly(
  'finds a live git by its working folder, which Windows cannot read of another process (there the git-pid registry counts)',
);

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.invalid',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.invalid',
  GIT_TERMINAL_PROMPT: '0',
};
function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: GIT_ENV,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

let root: string;
let repo: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir: root, cleanup } = await tempDir());
  repo = path.join(root, 'repo');
  await fs.mkdir(repo);
  git(repo, 'init', '-q', '-b', 'main');
  await fs.writeFile(path.join(repo, 'README.md'), '# test\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'initial');
});
afterEach(() => cleanup());

const HOUR = 60 * 60 * 1000;
async function makeLock(gitDir: string, ageMs: number): Promise<string> {
  const lock = path.join(gitDir, 'index.lock');
  await fs.writeFile(lock, '');
  const t = new Date(Date.now() - ageMs);
  await fs.utimes(lock, t, t);
  return lock;
}

describe('parseIndexLockError', () => {
  it("reads the lock path from git's own message", async () => {
    const lock = await makeLock(path.join(repo, '.git'), 0);
    await fs.writeFile(path.join(repo, 'new.txt'), 'x');
    const r = spawnSync('git', ['add', 'new.txt'], { cwd: repo, env: GIT_ENV, encoding: 'utf8' });
    expect(r.status).toBe(128);
    expect(parseIndexLockError(r.stderr)).toBe(lock);
    expect(
      parseIndexLockError("fatal: Unable to create 'C:/work/repo/.git/index.lock': File exists.\n"),
    ).toBe('C:/work/repo/.git/index.lock');
    expect(parseIndexLockError('fatal: not a git repository')).toBeUndefined();
  });
});

describe('decideLockRepair', () => {
  it('removes only an old lock with no live git in the repository', () => {
    expect(decideLockRepair({ lockAgeMs: 120_000, minAgeMs: 60_000, liveGitPidsInRepo: [] }).remove).toBe(
      true,
    );
    expect(decideLockRepair({ lockAgeMs: 30_000, minAgeMs: 60_000, liveGitPidsInRepo: [] })).toMatchObject({
      remove: false,
      reason: expect.stringContaining('younger') as unknown,
    });
    expect(decideLockRepair({ lockAgeMs: 120_000, minAgeMs: 60_000, liveGitPidsInRepo: [42] })).toMatchObject(
      {
        remove: false,
        reason: expect.stringContaining('42') as unknown,
      },
    );
  });
});

describe('git process helpers', () => {
  it('recognise git and paths inside a folder', () => {
    expect(isGitProgram('git')).toBe(true);
    expect(isGitProgram('/usr/bin/git')).toBe(true);
    expect(isGitProgram('C:\\Program Files\\Git\\cmd\\git.exe')).toBe(true);
    expect(isGitProgram('git-remote-https')).toBe(false);
    expect(isGitProgram('gitk')).toBe(false);
    expect(isInside('/a/b/c', '/a/b')).toBe(true);
    expect(isInside('/a/b', '/a/b')).toBe(true);
    expect(isInside('/a/bc', '/a/b')).toBe(false);
    expect(isInside('C:\\r\\x', 'C:\\r', 'win32')).toBe(true);
    expect(isInside('D:\\r', 'C:\\r', 'win32')).toBe(false);
    expect([...parseLsofCwd('p12\nfcwd\nn/repo\np13\nfcwd\nn/other\n')]).toEqual([
      [12, '/repo'],
      [13, '/other'],
    ]);
  });
});

describe('repairStaleIndexLock', () => {
  it('removes a stale lock, after which git works again', async () => {
    const lock = await makeLock(path.join(repo, '.git'), HOUR);
    const r = await repairStaleIndexLock(repo, { minAgeMs: 60_000 });
    expect(r).toMatchObject({ removed: true, lockPath: lock });
    expect(r.ageMs).toBeGreaterThanOrEqual(HOUR - 1000);
    await expect(fs.access(lock)).rejects.toThrow();
    expect(await fs.readdir(path.join(repo, '.git'))).not.toContainEqual(
      expect.stringContaining('index.lock'),
    );
    await fs.writeFile(path.join(repo, 'new.txt'), 'x');
    git(repo, 'add', 'new.txt');
  });

  it('keeps a fresh lock', async () => {
    const lock = await makeLock(path.join(repo, '.git'), 0);
    const r = await repairStaleIndexLock(path.join(repo), { minAgeMs: 60_000 });
    expect(r).toMatchObject({ removed: false, lockPath: lock });
    expect(r.reason).toContain('younger');
    await fs.access(lock);
  });

  it('reports a missing lock', async () => {
    expect(await repairStaleIndexLock(repo, { minAgeMs: 0 })).toMatchObject({
      removed: false,
      reason: expect.stringContaining('no index.lock') as unknown,
    });
  });

  liveGitScan.it('keeps an old lock while a live git process works in the repository', async () => {
    const lock = await makeLock(path.join(repo, '.git'), HOUR);
    // cat-file --batch waits on its open stdin: a real long-running git with its cwd in the repo.
    const live = spawn('git', ['cat-file', '--batch'], {
      cwd: path.join(repo),
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    const pid = live.pid ?? 0;
    try {
      await waitFor('git to run', async () => (await findGitProcessesIn(repo)).includes(pid));
      const r = await repairStaleIndexLock(repo, { minAgeMs: 60_000 });
      expect(r.removed).toBe(false);
      expect(r.reason).toContain(String(pid));
      await fs.access(lock);
    } finally {
      live.kill('SIGKILL');
      await waitFor('git to end', () => !isAlive(pid));
    }
    expect((await repairStaleIndexLock(repo, { minAgeMs: 60_000 })).removed).toBe(true);
  });

  it('does not count a git working in another repository', async () => {
    const other = path.join(root, 'other');
    await fs.mkdir(other);
    git(other, 'init', '-q');
    await makeLock(path.join(repo, '.git'), HOUR);
    const live = spawn('git', ['cat-file', '--batch'], { cwd: other, stdio: ['pipe', 'ignore', 'ignore'] });
    const pid = live.pid ?? 0;
    try {
      await waitFor('git to run', () => isAlive(pid));
      expect(await findGitProcessesIn(repo)).not.toContain(pid);
      expect((await repairStaleIndexLock(repo, { minAgeMs: 60_000, ownGitPids: [pid] })).removed).toBe(true);
    } finally {
      live.kill('SIGKILL');
    }
  });

  it('with Windows rules, trusts the registry of own git pids', async () => {
    const lock = await makeLock(path.join(repo, '.git'), HOUR);
    const live = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { cwd: repo, stdio: 'ignore' });
    const pid = live.pid ?? 0;
    try {
      await waitFor('the process to run', () => isAlive(pid));
      const kept = await repairStaleIndexLock(repo, {
        minAgeMs: 60_000,
        ownGitPids: [pid],
        platform: 'win32',
      });
      expect(kept).toMatchObject({ removed: false, reason: expect.stringContaining(String(pid)) as unknown });
      await fs.access(lock);
    } finally {
      live.kill('SIGKILL');
      await waitFor('it to end', () => !isAlive(pid));
    }
    expect(
      (await repairStaleIndexLock(repo, { minAgeMs: 60_000, ownGitPids: [pid], platform: 'win32' })).removed,
    ).toBe(true);
  });

  it("finds a linked worktree's own git dir and lock", async () => {
    const wt = path.join(root, 'wt');
    git(repo, 'worktree', 'add', '-q', '-b', 'feature', wt);
    const resolved = await resolveGitDir(path.join(wt));
    expect(resolved?.workTree).toBe(wt);
    expect(resolved?.gitDir).toBe(path.join(repo, '.git', 'worktrees', 'wt'));
    const lock = await makeLock(resolved?.gitDir ?? '', HOUR);
    const mainLock = await makeLock(path.join(repo, '.git'), HOUR);
    const r = await repairStaleIndexLock(wt, { minAgeMs: 60_000 });
    expect(r).toMatchObject({ removed: true, lockPath: lock });
    await fs.access(mainLock);
  });
});
