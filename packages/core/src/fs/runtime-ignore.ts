import fs from 'node:fs/promises';
import path from 'node:path';

/** What a runtime folder's `.gitignore` holds: everything in it, itself included (as Python's venv does). */
export const IGNORE_ALL = '# written by headless: runtime state, never part of the repository\n*\n';

/** The work tree `dir` lies in: the nearest folder upwards that has a `.git` (folder or file), if any. */
export async function gitWorkTreeOf(dir: string): Promise<string | undefined> {
  let cur = path.resolve(dir);
  for (;;) {
    try {
      await fs.lstat(path.join(cur, '.git'));
      return cur;
    } catch {
      // not here: go up
    }
    const up = path.dirname(cur);
    if (up === cur) return undefined;
    cur = up;
  }
}

/**
 * Creates a runtime folder (.tasks/, logs/, .tasks/worktrees/) and, when it lies inside a git work
 * tree, a `.gitignore` with `*` in it, so an agent's `git add -A` never commits the queue or the
 * logs and `git status` of the user's repo stays clean. An existing `.gitignore` is left alone.
 * Returns whether it wrote one.
 */
export async function ensureRuntimeFolder(dir: string): Promise<boolean> {
  await fs.mkdir(dir, { recursive: true });
  if ((await gitWorkTreeOf(dir)) === undefined) return false;
  try {
    // 'wx': never overwrite what a user (or an earlier run) put there.
    await fs.writeFile(path.join(dir, '.gitignore'), IGNORE_ALL, { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}
