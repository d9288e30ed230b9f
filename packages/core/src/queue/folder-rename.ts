import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TaskState } from '../task/record.js';
import { fsyncDir, renameWithRetry } from '../fs/atomic.js';
import { isNotFound, MissingTaskError } from './store.js';

/**
 * Whether a file is there (any error reads as no, as with access). A direct call: a stat on a local
 * disk is microseconds, less than the thread-pool round trip of `fs.promises.access` (two per move).
 */
export function exists(file: string): Promise<boolean> {
  return Promise.resolve(existsSync(file));
}

/**
 * A task's file from one state folder to another, never over an existing file; `syncDir` flushes
 * the destination folder after (without that a power loss could bring the old location back).
 */
export async function renameTaskFile(
  src: string,
  dst: string,
  id: string,
  from: TaskState,
  syncDir: boolean,
): Promise<void> {
  if (await exists(dst)) {
    // Another mover (a rival claimer) got there first: for us the task is simply gone.
    if (!(await exists(src))) throw new MissingTaskError(id, from);
    throw new Error(`task ${id}: ${dst} already exists; refusing to overwrite it`);
  }
  try {
    await renameWithRetry(src, dst);
  } catch (err) {
    if (isNotFound(err)) throw new MissingTaskError(id, from);
    throw err;
  }
  if (syncDir) await fsyncDir(path.dirname(dst));
}
