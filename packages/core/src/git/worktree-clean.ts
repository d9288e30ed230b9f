import fs from 'node:fs/promises';
import path from 'node:path';
import type { TaskState } from '../task/record.js';
import { gitReason, type GitRunner } from './git-run.js';
import { uncommittedFiles } from './worktree-changes.js';
import { taskBranch, worktreesDir } from './worktree.js';

/** One folder under .tasks/worktrees/, as `clean` and `status` see it. */
export interface WorktreeEntry {
  id: string;
  path: string;
  branch: string;
  /** The main checkout it belongs to; undefined when git no longer knows it (a broken worktree). */
  repo?: string;
  headSha?: string;
  /** Uncommitted files (tracked or not); undefined when git cannot read the worktree. */
  dirtyFiles?: string[];
  /** Whether the branch is contained in the main checkout's HEAD. */
  merged?: boolean;
  bytes: number;
  mtimeMs: number;
}

/** What `clean` needs to know of the task that owns a worktree. */
export interface CleanTaskView {
  state: TaskState;
  /** When it ended (the record's updatedAt for done/failed). */
  endedAt?: string;
}

export interface CleanOptions {
  olderThanMs: number;
  /** Only worktrees whose branch is merged into the main checkout's HEAD. */
  merged: boolean;
  /** Also worktrees with uncommitted changes. */
  force: boolean;
  now: number;
}

export type CleanDecision =
  { entry: WorktreeEntry; action: 'remove' } | { entry: WorktreeEntry; action: 'keep'; why: string };

/** Decides, per worktree, whether `clean` removes it. Pure. */
export function planClean(
  entries: readonly WorktreeEntry[],
  task: (id: string) => CleanTaskView | undefined,
  opts: CleanOptions,
): CleanDecision[] {
  return entries.map((entry) => {
    const keep = (why: string): CleanDecision => ({ entry, action: 'keep', why });
    const t = task(entry.id);
    if (t && t.state !== 'done' && t.state !== 'failed') return keep(`task is ${t.state}`);
    const ended = Date.parse(t?.endedAt ?? '') || entry.mtimeMs;
    if (opts.now - ended < opts.olderThanMs) {
      return keep(
        `ended ${humanAge(opts.now - ended)} ago (younger than --older-than ${humanAge(opts.olderThanMs)})`,
      );
    }
    if (opts.merged && entry.merged !== true)
      return keep(`branch ${entry.branch} is not merged into its repo's HEAD`);
    if (!opts.force) {
      if (entry.dirtyFiles === undefined)
        return keep('git cannot read its status: --force removes it anyway');
      if (entry.dirtyFiles.length > 0) {
        const n = entry.dirtyFiles.length;
        const some = entry.dirtyFiles.slice(0, 3).join(', ') + (n > 3 ? ', …' : '');
        return keep(`${n} uncommitted file${n > 1 ? 's' : ''} (${some}): commit or copy them, or --force`);
      }
    }
    return { entry, action: 'remove' };
  });
}

/** Reads every worktree folder headless made under the root. */
export async function listWorktrees(git: GitRunner, root: string): Promise<WorktreeEntry[]> {
  const dir = worktreesDir(root);
  let names: string[];
  try {
    names = (await fs.readdir(dir, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return [];
  }
  return Promise.all(names.sort().map((id) => inspectWorktree(git, id, path.join(dir, id))));
}

async function inspectWorktree(git: GitRunner, id: string, wtPath: string): Promise<WorktreeEntry> {
  const branch = taskBranch(id);
  const stat = await fs.stat(wtPath);
  const entry: WorktreeEntry = {
    id,
    path: wtPath,
    branch,
    bytes: await dirBytes(wtPath),
    mtimeMs: stat.mtimeMs,
  };
  const common = await git(wtPath, ['rev-parse', '--path-format=absolute', '--git-common-dir']);
  if (common.exitCode !== 0) return entry;
  entry.repo = path.dirname(common.stdout.trim());
  const head = await git(wtPath, ['rev-parse', 'HEAD']);
  if (head.exitCode === 0) entry.headSha = head.stdout.trim();
  const dirty = await uncommittedFiles(git, wtPath);
  if (dirty !== undefined) entry.dirtyFiles = dirty;
  entry.merged = (await git(entry.repo, ['merge-base', '--is-ancestor', branch, 'HEAD'])).exitCode === 0;
  return entry;
}

/** Bytes in a folder tree (files as stored, links not followed). */
export async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  let items;
  try {
    items = await fs.readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    return 0;
  }
  for (const d of items) {
    if (!d.isFile()) continue;
    total += await fs
      .lstat(path.join(d.parentPath, d.name))
      .then((s) => s.size)
      .catch(() => 0);
  }
  return total;
}

export interface RemovedWorktree {
  id: string;
  branch: string;
  headSha?: string;
  bytes: number;
  merged?: boolean;
  /** Set when the branch could not be deleted (the folder is gone either way). */
  branchKept?: string;
}

/** Removes a worktree and its branch. The head SHA is reported so an unmerged branch can be restored. */
export async function removeWorktree(
  git: GitRunner,
  entry: WorktreeEntry,
  force: boolean,
): Promise<RemovedWorktree> {
  const out: RemovedWorktree = {
    id: entry.id,
    branch: entry.branch,
    bytes: entry.bytes,
    ...(entry.headSha ? { headSha: entry.headSha } : {}),
    ...(entry.merged !== undefined ? { merged: entry.merged } : {}),
  };
  if (entry.repo === undefined) {
    // git no longer knows this folder: it is only files now.
    await fs.rm(entry.path, { recursive: true, force: true });
    return out;
  }
  const rm = await git(entry.repo, [
    'worktree',
    'remove',
    ...(force ? ['--force', '--force'] : []),
    entry.path,
  ]);
  if (rm.exitCode !== 0) throw new Error(`git worktree remove ${entry.path} failed: ${gitReason(rm)}`);
  const br = await git(entry.repo, ['branch', '-D', entry.branch]);
  if (br.exitCode !== 0) out.branchKept = gitReason(br);
  return out;
}

/** How many worktrees exist and the disk they take (for `status`). */
export async function worktreeUsage(root: string): Promise<{ count: number; bytes: number }> {
  const dir = worktreesDir(root);
  let names: string[];
  try {
    names = (await fs.readdir(dir, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return { count: 0, bytes: 0 };
  }
  const sizes = await Promise.all(names.map((n) => dirBytes(path.join(dir, n))));
  return { count: names.length, bytes: sizes.reduce((a, b) => a + b, 0) };
}

export function humanAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

export function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}
