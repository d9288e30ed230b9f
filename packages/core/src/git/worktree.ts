import fs from 'node:fs/promises';
import path from 'node:path';
import { HeadlessError } from '../errors/headless-error.js';
import { ensureRuntimeFolder } from '../fs/runtime-ignore.js';
import { layout } from '../paths.js';
import { gitReason, type GitRunner } from './git-run.js';

/** A task's own checkout: where its tool runs instead of the user's working copy. */
export interface TaskWorktree {
  id: string;
  /** The main checkout (top level of the task's repo), absolute. */
  repo: string;
  /** The worktree folder, absolute: `<root>/.tasks/worktrees/<id>`. */
  path: string;
  /** `headless/<id>`. */
  branch: string;
  /** What the task asked to start from (branch, tag or SHA), as given; `HEAD` by default. */
  base: string;
  /** The commit the branch started at. */
  baseSha: string;
}

export type WorktreeOp = 'repo' | 'add' | 'reuse' | 'commit' | 'inspect' | 'remove';

/**
 * The task's worktree could not be made or used. The task fails with this message: it never falls
 * back to the main checkout (claude-code#52958: a silent fallback destroyed untracked files).
 */
export class WorktreeError extends HeadlessError {
  constructor(
    readonly taskId: string,
    readonly op: WorktreeOp,
    /** git's own words (its fatal:/error: lines). */
    readonly gitReason: string,
    message: string,
  ) {
    super(message);
  }
}

export const worktreesDir = (root: string): string => path.join(layout(root).tasksDir, 'worktrees');
export const worktreePath = (root: string, id: string): string => path.join(worktreesDir(root), id);
export const taskBranch = (id: string): string => `headless/${id}`;

/**
 * Whether a task runs in a worktree: its own `worktree` field wins; else the tool's
 * `tools.<tool>.worktree`, and then only when the repo is a git repository. An explicit
 * `"worktree": true` on a folder that is not a repository is not dropped: prepareWorktree refuses it.
 */
export function wantsWorktree(
  task: { worktree?: boolean },
  tool: { worktree: boolean },
  repoIsGit: boolean,
): boolean {
  if (task.worktree !== undefined) return task.worktree;
  return tool.worktree && repoIsGit;
}

/** Whether `dir` lies in a git work tree (git itself answers, so .git files and bare repos count right). */
export async function isGitWorkTree(git: GitRunner, dir: string): Promise<boolean> {
  const r = await git(dir, ['rev-parse', '--is-inside-work-tree']);
  return r.exitCode === 0 && r.stdout.trim() === 'true';
}

export interface PrepareWorktreeRequest {
  root: string;
  id: string;
  /** The task's repo folder (absolute; any folder inside the work tree). */
  repo: string;
  /** Branch, tag or SHA to start from; default the repo's HEAD now (at claim). */
  base?: string;
  /** What an earlier attempt recorded: with it, an existing worktree is reused as it is. */
  recorded?: Pick<TaskWorktree, 'base' | 'baseSha'>;
}

/**
 * Makes the task's worktree on branch `headless/<id>`, or reuses the one an earlier attempt made
 * (retries and resumed sessions continue where the last attempt left the files). Throws
 * WorktreeError with git's reason when it cannot; nothing is run in the main checkout then.
 */
export async function prepareWorktree(git: GitRunner, req: PrepareWorktreeRequest): Promise<TaskWorktree> {
  const top = await git(req.repo, ['rev-parse', '--show-toplevel']);
  if (top.exitCode !== 0) {
    const reason = gitReason(top);
    throw new WorktreeError(
      req.id,
      'repo',
      reason,
      `task ${req.id}: cannot make a worktree: ${req.repo} is not in a git repository (${reason}); set "worktree": false to run in the folder itself`,
    );
  }
  const repo = path.resolve(top.stdout.trim());
  const wtPath = worktreePath(req.root, req.id);
  const branch = taskBranch(req.id);
  await ensureRuntimeFolder(layout(req.root).tasksDir);
  await ensureRuntimeFolder(worktreesDir(req.root));

  if (await isTaskWorktree(git, wtPath, branch)) {
    const baseSha = req.recorded?.baseSha ?? (await forkPoint(git, repo, branch, req));
    return {
      id: req.id,
      repo,
      path: wtPath,
      branch,
      base: req.recorded?.base ?? req.base ?? 'HEAD',
      baseSha,
    };
  }
  await clearLeftover(wtPath, req.id);
  const branchExists =
    (await git(repo, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`])).exitCode === 0;
  // A branch without its folder (the folder was deleted by hand): forget the stale registration and
  // re-attach the branch, keeping its commits.
  if (branchExists) await git(repo, ['worktree', 'prune']);
  const base = req.recorded?.base ?? req.base ?? 'HEAD';
  const add = branchExists
    ? await git(repo, ['worktree', 'add', wtPath, branch])
    : await git(repo, ['worktree', 'add', '-b', branch, wtPath, base]);
  if (add.exitCode !== 0) {
    const reason = gitReason(add);
    throw new WorktreeError(
      req.id,
      'add',
      reason,
      `task ${req.id}: cannot make its worktree from base "${base}" in ${repo}: ${reason}${branchExists ? '' : ' (check the task\'s "base": a branch, tag or commit of that repo)'}`,
    );
  }
  const baseSha = branchExists
    ? (req.recorded?.baseSha ?? (await forkPoint(git, repo, branch, req)))
    : await revParse(git, wtPath, 'HEAD', req.id);
  return { id: req.id, repo, path: wtPath, branch, base, baseSha };
}

async function isTaskWorktree(git: GitRunner, wtPath: string, branch: string): Promise<boolean> {
  try {
    await fs.access(path.join(wtPath, '.git'));
  } catch {
    return false;
  }
  const head = await git(wtPath, ['symbolic-ref', '--quiet', 'HEAD']);
  return head.exitCode === 0 && head.stdout.trim() === `refs/heads/${branch}`;
}

/** A folder in the worktree's place that is not the task's worktree: empty is removed, anything else refused. */
async function clearLeftover(wtPath: string, id: string): Promise<void> {
  let entries: string[];
  try {
    entries = await fs.readdir(wtPath);
  } catch {
    return;
  }
  if (entries.length === 0) {
    await fs.rmdir(wtPath);
    return;
  }
  throw new WorktreeError(
    id,
    'reuse',
    'not a worktree of this task',
    `task ${id}: ${wtPath} exists and is not the task's worktree (branch ${taskBranch(id)}): move it away, then retry`,
  );
}

async function revParse(git: GitRunner, cwd: string, rev: string, id: string): Promise<string> {
  const r = await git(cwd, ['rev-parse', '--verify', `${rev}^{commit}`]);
  if (r.exitCode !== 0) {
    const reason = gitReason(r);
    throw new WorktreeError(id, 'inspect', reason, `task ${id}: cannot read ${rev} in ${cwd}: ${reason}`);
  }
  return r.stdout.trim();
}

/** Without a recorded base, the best answer is where the branch left the base (or the branch's root). */
async function forkPoint(
  git: GitRunner,
  repo: string,
  branch: string,
  req: PrepareWorktreeRequest,
): Promise<string> {
  const mb = await git(repo, ['merge-base', req.base ?? 'HEAD', branch]);
  return mb.exitCode === 0 ? mb.stdout.trim() : revParse(git, repo, branch, req.id);
}
