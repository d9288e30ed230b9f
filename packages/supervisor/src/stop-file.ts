import { existsSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

/**
 * Calls `onStop` once when the stop file appears. fs.watch makes it quick; the poll makes it sure
 * (watch events get lost: Windows buffer overflows, network drives, some containers).
 */
export function watchStopFile(stopFile: string, onStop: () => void, pollMs = 1000): () => void {
  let fired = false;
  let watcher: FSWatcher | undefined;
  const check = (): void => {
    if (fired || !existsSync(stopFile)) return;
    fired = true;
    close();
    onStop();
  };
  const poll = setInterval(check, pollMs);
  poll.unref();
  try {
    watcher = watch(path.dirname(stopFile), { persistent: false }, (_event, name) => {
      if (name === null || name.toString() === path.basename(stopFile)) check();
    });
    watcher.on('error', () => watcher?.close());
  } catch {
    // The poll alone still works.
  }
  function close(): void {
    clearInterval(poll);
    watcher?.close();
  }
  check();
  return close;
}
