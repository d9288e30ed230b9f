import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { isAlive } from '../process/alive.js';
import { hasProcfs } from '../process/proc-stat.js';
import { findGitProcessesIn, isInside } from './git-processes.js';

/**
 * The lock path in git's "fatal: Unable to create '<path>/index.lock': File exists." (exit 128), or
 * undefined when the output is about something else.
 */
export function parseIndexLockError(output: string): string | undefined {
  const m = /Unable to create '([^'\n]*index\.lock)': File exists/.exec(output);
  return m?.[1];
}

export interface LockRepairInput {
  lockAgeMs: number;
  minAgeMs: number;
  /** Live git processes working in the repository (any of them may own the lock). */
  liveGitPidsInRepo: readonly number[];
}

/**
 * Whether an index.lock may be removed: only when no git works in the repository (git removes its
 * own lock when it ends; a lock with a live git beside it belongs to it) AND the lock is older than
 * the minimum age (a git we could not see, e.g. another user's, would have finished by then).
 */
export function decideLockRepair(input: LockRepairInput): { remove: boolean; reason: string } {
  const age = `${(input.lockAgeMs / 1000).toFixed(1)} s`;
  if (input.liveGitPidsInRepo.length > 0) {
    return {
      remove: false,
      reason: `kept: git process ${input.liveGitPidsInRepo.join(', ')} still works in the repository`,
    };
  }
  if (input.lockAgeMs < input.minAgeMs) {
    return {
      remove: false,
      reason: `kept: the lock is ${age} old, younger than the ${(input.minAgeMs / 1000).toFixed(1)} s minimum (a git may still be using it)`,
    };
  }
  return {
    remove: true,
    reason: `removed: the lock was ${age} old and no git process works in the repository`,
  };
}

/** The git dir and work tree of the repository containing `dir` (a linked worktree's `.git` is a file naming its git dir). */
export async function resolveGitDir(dir: string): Promise<{ gitDir: string; workTree: string } | undefined> {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const dotGit = path.join(current, '.git');
    const st = await fs.stat(dotGit).catch(() => undefined);
    if (st?.isDirectory()) return { gitDir: dotGit, workTree: current };
    if (st?.isFile()) {
      const m = /^gitdir:\s*(.+?)\s*$/m.exec(await fs.readFile(dotGit, 'utf8'));
      if (m?.[1]) return { gitDir: path.resolve(current, m[1]), workTree: current };
    }
    if (path.dirname(current) === current) return undefined;
  }
}

export interface RepairOptions {
  minAgeMs: number;
  clock?: Clock;
  /**
   * Pids of git processes this runner started in the repository (the worker's registry). On
   * Windows they are the only evidence of a live git; elsewhere they add to the process scan.
   */
  ownGitPids?: readonly number[];
  /** The lock named in git's message, if known (else `<git dir>/index.lock`). */
  lockPath?: string;
  platform?: NodeJS.Platform;
}

export interface RepairResult {
  removed: boolean;
  reason: string;
  lockPath: string;
  ageMs?: number;
}

/**
 * Removes a stale index.lock in the repository at `repoDir`. The lock is first renamed to a unique
 * name: on Windows that fails while a live git holds it open, and everywhere it makes the removal
 * safe against a git that created a fresh lock in the meantime (the renamed file is checked to be
 * the one judged stale, else it is put back).
 */
export async function repairStaleIndexLock(repoDir: string, opts: RepairOptions): Promise<RepairResult> {
  const platform = opts.platform ?? process.platform;
  const clock = opts.clock ?? systemClock;
  const repo = await resolveGitDir(repoDir);
  const lockPath =
    opts.lockPath ?? (repo ? path.join(repo.gitDir, 'index.lock') : path.join(repoDir, '.git', 'index.lock'));
  const before = await fs.stat(lockPath).catch(() => undefined);
  if (!before) return { removed: false, reason: 'no index.lock (already gone)', lockPath };
  const ageMs = Math.max(0, clock.now() - before.mtimeMs);

  const roots = repo ? [repo.workTree, repo.gitDir] : [repoDir];
  const scanned = await findGitProcessesIn(roots, { platform });
  const own = await ownPidsInRepo(opts.ownGitPids ?? [], roots, platform);
  const live = [...new Set([...scanned, ...own])].sort((a, b) => a - b);
  const decision = decideLockRepair({ lockAgeMs: ageMs, minAgeMs: opts.minAgeMs, liveGitPidsInRepo: live });
  if (!decision.remove) return { removed: false, reason: decision.reason, lockPath, ageMs };

  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await fs.rename(lockPath, aside);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ENOENT')
      return { removed: false, reason: 'no index.lock (its git finished meanwhile)', lockPath, ageMs };
    return {
      removed: false,
      reason: `kept: the lock cannot be moved (${code}), so a process still holds it`,
      lockPath,
      ageMs,
    };
  }
  const after = await fs.stat(aside);
  if (after.mtimeMs !== before.mtimeMs || after.ino !== before.ino || after.size !== before.size) {
    // A git replaced the lock between the check and the rename: it is live, put it back.
    await fs.link(aside, lockPath).catch(() => undefined);
    await fs.rm(aside, { force: true });
    return {
      removed: false,
      reason: 'kept: a new lock appeared while checking (a git is running)',
      lockPath,
      ageMs,
    };
  }
  await fs.rm(aside, { force: true });
  return { removed: true, reason: decision.reason, lockPath, ageMs };
}

/** The live ones among our own git pids; on Linux only those whose cwd is in the repository (if readable). */
async function ownPidsInRepo(
  pids: readonly number[],
  roots: readonly string[],
  platform: NodeJS.Platform,
): Promise<number[]> {
  const live = pids.filter(isAlive);
  if (!hasProcfs(platform)) return live;
  const realRoots = await Promise.all(roots.map((r) => fs.realpath(r).catch(() => r)));
  const keep = await Promise.all(
    live.map(async (pid) => {
      const cwd = await fs.readlink(`/proc/${pid}/cwd`).catch(() => undefined);
      return cwd === undefined || realRoots.some((r) => isInside(cwd, r, platform));
    }),
  );
  return live.filter((_, i) => keep[i]);
}
