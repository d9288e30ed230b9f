import fs from 'node:fs';
import path from 'node:path';
import { createGitRunner, type GitRunner } from '@headless/core/git/git-run';
import {
  isGitWorkTree,
  prepareWorktree,
  wantsWorktree,
  worktreePath,
  WorktreeError,
  type TaskWorktree,
} from '@headless/core/git/worktree';
import { commitAttempt, worktreeChanges } from '@headless/core/git/worktree-changes';
import { baseFromDependencies } from '@headless/core/task/dependencies';
import type { TaskRecord } from '@headless/core/task/record';
import type { WorktreeResult } from '@headless/core/task/result';
import type { WorkerContext } from './context.js';

/** Where an attempt runs: the task's repo folder, or the same folder inside the task's worktree. */
export interface Workspace {
  cwd: string;
  worktree?: TaskWorktree;
}

export type WorkspaceResult = { ok: true; ws: Workspace } | { ok: false; reason: string };

let sharedGit: GitRunner | undefined;
const git = (): GitRunner => (sharedGit ??= createGitRunner());

/** Whether `dir` lies in a git work tree, by its `.git` entries (sync: the scheduler asks on every turn). */
export function inGitWorkTreeSync(dir: string): boolean {
  for (let d = path.resolve(dir); ;) {
    if (fs.existsSync(path.join(d, '.git'))) return true;
    const up = path.dirname(d);
    if (up === d) return false;
    d = up;
  }
}

/**
 * The folder a task writes to, for the one-writer rule: its worktree when it runs in one (so N
 * worktree tasks on one repo run at once), else its repo.
 */
export function writeTarget(ctx: Pick<WorkerContext, 'paths' | 'tools'>, rec: TaskRecord): string {
  const repo = path.resolve(ctx.paths.root, rec.spec.repo);
  const tool = ctx.tools.tools[rec.spec.tool];
  const inWorktree =
    rec.spec.worktree ??
    (tool?.worktree === true && (rec.result?.worktree !== undefined || inGitWorkTreeSync(repo)));
  return inWorktree ? worktreePath(ctx.paths.root, rec.id) : repo;
}

/**
 * Makes (or reuses) the task's worktree when it runs in one, and says where its tool runs. A
 * worktree that cannot be made is a refusal with git's reason: the tool never runs in the main
 * checkout instead.
 */
export async function prepareWorkspace(
  ctx: WorkerContext,
  rec: TaskRecord,
  repo: string,
): Promise<WorkspaceResult> {
  const { spec } = rec;
  const tool = ctx.tools.tools[spec.tool];
  const use =
    spec.worktree !== undefined || tool?.worktree
      ? wantsWorktree(spec, { worktree: tool?.worktree ?? false }, await isGitWorkTree(git(), repo))
      : false;
  if (!use) return { ok: true, ws: { cwd: repo } };
  const recorded = rec.result?.worktree;
  const base = spec.base ?? (recorded ? undefined : await dependencyBase(ctx, rec, repo));
  try {
    const wt = await prepareWorktree(git(), {
      root: ctx.paths.root,
      id: rec.id,
      repo,
      ...(base !== undefined ? { base } : {}),
      ...(recorded ? { recorded: { base: recorded.base, baseSha: recorded.baseSha } } : {}),
    });
    // A repo that is a subfolder of its work tree runs in the same subfolder of the worktree.
    const sub = path.relative(wt.repo, await realDir(repo));
    return {
      ok: true,
      ws: { cwd: sub && !sub.startsWith('..') ? path.join(wt.path, sub) : wt.path, worktree: wt },
    };
  } catch (err) {
    if (err instanceof WorktreeError) return { ok: false, reason: err.message };
    throw err;
  }
}

/** With `after`, the default base is where the last dependency's branch (same repo) ended. */
async function dependencyBase(
  ctx: WorkerContext,
  rec: TaskRecord,
  repo: string,
): Promise<string | undefined> {
  const after = rec.spec.after;
  if (!after.length) return undefined;
  const found = new Map<string, { repo?: string; headSha?: string }>();
  for (const id of after) {
    const dep = (await ctx.store.get(id))?.record;
    const head = dep?.result?.worktree?.headSha;
    if (dep && head) found.set(id, { repo: path.resolve(ctx.paths.root, dep.spec.repo), headSha: head });
  }
  return baseFromDependencies(after, repo, (id) => found.get(id));
}

async function realDir(dir: string): Promise<string> {
  return fs.promises.realpath(dir).catch(() => dir);
}

/**
 * After an attempt in a worktree: commits what a successful attempt left (`tools.<t>.commit`) and
 * reads base/head SHA, diffstat and changed files. A commit that fails is returned as `error`: the
 * attempt's work is kept in the worktree, and the task says why it was not committed.
 */
export async function settleWorkspace(
  ctx: WorkerContext,
  rec: TaskRecord,
  ws: Workspace,
  succeeded: boolean,
): Promise<{ worktree?: WorktreeResult; error?: string }> {
  const wt = ws.worktree;
  if (!wt) return {};
  const tool = ctx.tools.tools[rec.spec.tool];
  const out: WorktreeResult = { path: wt.path, branch: wt.branch, base: wt.base, baseSha: wt.baseSha };
  try {
    if (succeeded && (tool?.commit ?? true)) {
      await commitAttempt(git(), {
        id: rec.id,
        worktreePath: wt.path,
        attempt: rec.attempts,
        ...(rec.spec.prompt !== undefined ? { prompt: rec.spec.prompt } : {}),
        author: ctx.policies.worktrees.author,
      });
    }
    const ch = await worktreeChanges(git(), rec.id, wt.path, wt.baseSha);
    return {
      worktree: { ...out, headSha: ch.headSha, diffstat: ch.diffstat, changedFiles: ch.changedFiles },
    };
  } catch (err) {
    if (!(err instanceof WorktreeError)) throw err;
    return { worktree: out, error: err.message };
  }
}
