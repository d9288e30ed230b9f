import path from 'node:path';
import { isInboxCandidate } from './inbox/watcher.js';

/** The folders the worker watches, each for what in it can change what its loop would do. */
export type WatchedFolder = 'inbox' | 'root' | 'requests';

/**
 * Whether a watch event on `name` in `folder` should wake the loop. A drop into the inbox is a
 * burst of events (the writer's temp file created, written, renamed), and each one used to wake
 * the loop: the pass after the one that took the task ran while the spawner started the tool, on
 * the same two cores. Only names the pass would act on wake it now: an inbox task file, the stop
 * file, a request. Without a name (Windows may give none, and an overflow has none) it wakes: the
 * listing stays the truth, an event only makes it come sooner.
 */
export function wakesLoop(folder: WatchedFolder, name: string | null | undefined, stopFile: string): boolean {
  if (!name) return true;
  switch (folder) {
    case 'inbox':
      return isInboxCandidate(name);
    case 'root':
      // Case-insensitive: on Windows and macOS `stop.headless` is the same file.
      return name.toLowerCase() === path.basename(stopFile).toLowerCase();
    case 'requests':
      return name.endsWith('.json');
  }
}
