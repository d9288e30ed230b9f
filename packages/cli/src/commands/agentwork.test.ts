import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { runCli } from '../testing/cli-run.js';
import { createGitRunner } from '@headless/core/git/git-run';
import { prepareWorktree } from '@headless/core/git/worktree';
import { commitAttempt } from '@headless/core/git/worktree-changes';
import { Ledger } from '@headless/core/ledger/ledger';
import { FolderStore } from '@headless/core/queue/folder-store';
import { Transitions } from '@headless/core/queue/transitions';
import { TaskSpec, type TaskInput } from '@headless/core/task/schema';
import { git, makeGitRepo } from '@headless/test-support/git-repo';
import { makeTempRoot } from '@headless/test-support/temp-root';

const cli = runCli;

let root: string;
let cleanup: () => Promise<void>;
let store: FolderStore;
let ledger: Ledger;
beforeEach(async () => {
  ({ root, cleanup } = await makeTempRoot());
  store = new FolderStore(path.join(root, '.tasks'), { fsync: false });
  ledger = new Ledger(path.join(root, 'logs', 'ledger.jsonl'), { fsync: false });
});
afterEach(async () => {
  await ledger.close();
  await cleanup();
});

/** Claims a queued task as worker pid 1, without ledger lines (the test writes its own). */
async function claimAs1(id: string): Promise<void> {
  await store.claim(id, (r) => ({
    ...r,
    attempts: r.attempts + 1,
    claim: { workerPid: 1, claimedAt: r.updatedAt },
  }));
}

/** Runs a task through the store the way the worker does: queued, claimed, then done or failed. */
async function finish(spec: TaskInput, end: { reason?: string; suspect?: string; exitCode?: number }) {
  await new Transitions(store, { append: () => Promise.resolve() }).enqueue([{ spec: TaskSpec.parse(spec) }]);
  await claimAs1(spec.id);
  const startedAt = new Date(Date.now() - 60_000).toISOString();
  await ledger.append({ event: 'attempt.start', task: spec.id, attempt: 1, tool: spec.tool, ts: startedAt });
  const outcome = end.reason ? 'permanent' : 'success';
  await ledger.append({
    event: 'attempt.end',
    task: spec.id,
    attempt: 1,
    tool: spec.tool,
    exitCode: end.exitCode ?? 0,
    durationMs: 60_000,
    outcome,
    ...(end.reason ? { reason: end.reason } : {}),
    ...(spec.tool === 'claude' ? { usage: { inputTokens: 100, outputTokens: 50, costUsd: 0.01 } } : {}),
  });
  const summary = {
    attempt: 1,
    startedAt,
    endedAt: new Date().toISOString(),
    outcome,
    exitCode: end.exitCode ?? 0,
  } as const;
  if (end.reason) {
    await store.move(spec.id, 'processing', 'failed', (r) => ({
      ...r,
      reason: end.reason,
      history: [...r.history, summary],
    }));
    await ledger.append({ event: 'task.failed', task: spec.id, attempt: 1, reason: end.reason, outcome });
  } else {
    await store.move(spec.id, 'processing', 'done', (r) => ({ ...r, history: [...r.history, summary] }));
    await ledger.append({
      event: 'task.done',
      task: spec.id,
      attempt: 1,
      ...(end.suspect ? { reason: end.suspect } : {}),
    });
  }
  await ledger.flush();
}

describe('headless show, report and the mixed run', () => {
  beforeEach(async () => {
    await finish({ id: 'ok', tool: 'claude', prompt: 'write it' }, {});
    await finish(
      { id: 'exit3', tool: 'git', args: ['pull'] },
      { exitCode: 3, reason: 'exit code 3: fatal: not possible to fast-forward, aborting.' },
    );
    await finish(
      { id: 'denied', tool: 'claude', prompt: 'fix it' },
      { suspect: 'claude reported success but 1 permission denial (Write)' },
    );
    await finish(
      { id: 'asked', tool: 'claude', prompt: 'refactor' },
      { exitCode: 1, reason: 'blocked on input: claude asked "Proceed? (y/n)"; make it non-interactive' },
    );
    await fs.writeFile(
      path.join(root, 'logs', 'task_exit3.log'),
      'line one\nfatal: not possible to fast-forward, aborting.\n',
    );
  });

  it('report --since 1h names all four; --json has exactly the three needing attention', () => {
    const text = cli(root, 'report', '--since', '1h');
    expect(text.status).toBe(0);
    for (const id of ['ok', 'exit3', 'denied', 'asked']) expect(text.stdout).toContain(id);
    const r = cli(root, 'report', '--since', '1h', '--json');
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as {
      tasks: { id: string }[];
      attention: { id: string; why: string; next: string }[];
    };
    expect(report.tasks.map((t) => t.id).sort()).toEqual(['asked', 'denied', 'exit3', 'ok']);
    expect(report.attention.map((a) => [a.id, a.next])).toEqual([
      ['exit3', 'headless retry exit3'],
      ['denied', 'headless show denied'],
      ['asked', 'headless retry asked'],
    ]);
    const md = cli(root, 'report', '--md');
    expect(md.stdout.startsWith('# headless report')).toBe(true);
  });

  it('show prints the reason and the last lines of the log; --json is JSON only', () => {
    const r = cli(root, 'show', 'exit3');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^reason: +exit code 3: fatal: not possible to fast-forward, aborting\.$/m);
    expect(r.stdout).toContain('  fatal: not possible to fast-forward, aborting.');
    const j = JSON.parse(cli(root, 'show', 'ok', '--json').stdout) as { usage: unknown; shownState: string };
    expect(j).toMatchObject({
      shownState: 'done',
      usage: { inputTokens: 100, outputTokens: 50, costUsd: 0.01 },
    });
  });

  it('show names an unknown task and a bad --since is a usage error', () => {
    const r = cli(root, 'show', 'nope');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no task "nope"/);
    const s = cli(root, 'report', '--since', 'yesterday');
    expect(s.status).toBe(2);
    expect(s.stderr).toBe(
      'headless: --since: "yesterday" is not a duration; write a number and a unit, such as 30m, 12h or 7d\n',
    );
  });
});

describe('headless clean', () => {
  // Four CLI runs and a dozen git commands: the timeout allows for a loaded machine.
  it('--older-than 0d removes the worktrees of finished tasks and keeps a dirty one', async () => {
    const repo = await makeGitRepo(path.join(root, 'repo'));
    const run = createGitRunner({
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@x',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@x',
      },
    });
    for (const id of ['w-clean', 'w-dirty', 'w-running']) {
      const wt = await prepareWorktree(run, { root, id, repo });
      await fs.writeFile(path.join(wt.path, `${id}.txt`), 'x\n');
      if (id === 'w-clean') await commitAttempt(run, { id, worktreePath: wt.path, attempt: 1 });
    }
    await finish({ id: 'w-clean', tool: 'git', args: ['status'], repo: 'repo' }, {});
    await finish({ id: 'w-dirty', tool: 'git', args: ['status'], repo: 'repo' }, {});
    await new Transitions(store, { append: () => Promise.resolve() }).enqueue([
      { spec: TaskSpec.parse({ id: 'w-running', tool: 'git', args: ['status'], repo: 'repo' }) },
    ]);
    await claimAs1('w-running');

    const dry = cli(root, 'clean', '--older-than', '0d', '--dry-run');
    expect(dry.status).toBe(0);
    expect(dry.stdout).toMatch(/^would remove w-clean: worktree and branch headless\/w-clean/m);
    expect(git(repo, 'branch', '--list', 'headless/w-clean')).not.toBe('');

    const r = cli(root, 'clean', '--older-than', '0d');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^removed w-clean: worktree and branch headless\/w-clean \(.*, not merged: `git branch headless\/w-clean [0-9a-f]{40}` restores it\)$/m,
    );
    expect(r.stdout).toMatch(
      /^kept w-dirty: 1 uncommitted file \(w-dirty\.txt\): commit or copy them, or --force$/m,
    );
    expect(r.stdout).toMatch(/^kept w-running: task is processing$/m);
    expect(r.stdout).toMatch(/^freed .* in 1 worktree; 2 kept/m);
    expect(
      git(repo, 'branch', '--list', 'headless/*')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.trim()),
    ).toEqual(['+ headless/w-dirty', '+ headless/w-running']);
    await expect(
      fs.access(path.join(root, '.tasks', 'worktrees', 'w-dirty', 'w-dirty.txt')),
    ).resolves.toBeUndefined();
    expect(git(repo, 'status', '--porcelain')).toBe('');

    const forced = JSON.parse(cli(root, 'clean', '--older-than', '0d', '--force', '--json').stdout) as {
      removed: { id: string }[];
    };
    expect(forced.removed.map((x) => x.id)).toEqual(['w-dirty']);
  }, 180_000);
});
