import fs from 'node:fs/promises';
import path from 'node:path';
import type { TaskState } from '../task/record.js';
import { TASK_STATES } from '../task/record.js';
import { exists } from './folder-rename.js';
import type { KnownIds } from './id-index.js';
import { isNotFound } from './store.js';

/** The ids with a record file in one state folder of the folder store (`<tasksDir>/<state>/<id>.json`). */
export async function idsInFolder(tasksDir: string, state: TaskState): Promise<string[]> {
  try {
    const names = await fs.readdir(path.join(tasksDir, state));
    return names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length));
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}

/**
 * Ids with a file of their own, in any state folder. The folders are listed side by side: one
 * round trip instead of five. A task moved meanwhile may be in none of the listings; the store's
 * duplicate check looks such tasks up again (`FolderStore.knownIdsSteady`).
 */
export async function fileIdsIn(tasksDir: string): Promise<KnownIds> {
  const index: KnownIds = new Map();
  const lists = await Promise.all(TASK_STATES.map((s) => idsInFolder(tasksDir, s)));
  TASK_STATES.forEach((s, i) => {
    for (const id of lists[i] ?? []) index.set(id.toLowerCase(), { id, state: s });
  });
  return index;
}

/** The state folder that holds a file for `id`, if any. */
export async function fileStateOf(tasksDir: string, id: string): Promise<TaskState | undefined> {
  for (const s of TASK_STATES) if (await exists(path.join(tasksDir, s, `${id}.json`))) return s;
  return undefined;
}
