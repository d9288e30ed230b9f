import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { makeGitRepo } from '@headless/test-support/git-repo';
import { waitFor } from '@headless/test-support/wait-for';
import {
  dropTasks,
  ledgerOf,
  makeWorkerRoot,
  runUntilIdle,
  stateOf,
  type WorkerRoot,
} from './testing/harness.js';

describe('git index.lock repair', () => {
  let w: WorkerRoot;
  let repo: string;
  let lock: string;
  beforeEach(async () => {
    w = await makeWorkerRoot({ policies: { gitLock: { minAgeSec: 30 }, retry: { maxAttempts: 2 } } });
    repo = await makeGitRepo(path.join(w.root, 'repo'));
    lock = path.join(repo, '.git', 'index.lock');
    await fs.writeFile(path.join(repo, 'new.txt'), 'hello\n');
    await fs.writeFile(lock, '');
    const old = new Date(Date.now() - 10 * 60 * 1000);
    await fs.utimes(lock, old, old);
  });
  afterEach(() => w.cleanup());

  const addTask = { id: 'add', tool: 'git', repo: 'repo', args: ['add', 'new.txt'] };

  it('removes a stale lock, records it, and the git task succeeds', async () => {
    await dropTasks(w.root, 'g.jsonl', [addTask]);
    await runUntilIdle(w);
    expect(await stateOf(w, 'add')).toBe('done');
    const events = await ledgerOf(w, 'add');
    expect(events.find((r) => r.event === 'lock.repaired')).toMatchObject({ file: lock });
    expect(events.filter((r) => r.event === 'attempt.start')).toHaveLength(2);
  });

  it('leaves the lock of a live git process alone', async () => {
    // A git process working in the repository (it waits on stdin until we end it).
    const live = spawn('git', ['cat-file', '--batch'], { cwd: repo, stdio: ['pipe', 'ignore', 'ignore'] });
    try {
      await waitFor('git to start', () => (live.pid ? true : undefined));
      await dropTasks(w.root, 'g.jsonl', [addTask]);
      await runUntilIdle(w);
      expect(await stateOf(w, 'add')).toBe('failed');
      await expect(fs.access(lock)).resolves.toBeUndefined();
      const kept = (await ledgerOf(w, 'add')).filter((r) => r.event === 'lock.kept');
      expect(kept.length).toBeGreaterThanOrEqual(1);
      expect(kept[0]?.reason).toMatch(/live git|git process/i);
    } finally {
      live.kill('SIGKILL');
    }
  });
});
