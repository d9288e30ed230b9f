import fs from 'node:fs/promises';
import path from 'node:path';
import type { RootLayout } from '@headless/core/paths';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface FolderCheck {
  name: string;
  path: string;
  status: CheckStatus;
  detail: string;
}

/**
 * The folders headless writes: the root must be writable, `.tasks` and `logs` usable (or creatable),
 * and on POSIX the runtime folder `.tasks/run` (sockets, pid files) not writable by others.
 * Reads only: doctor never creates anything.
 */
export async function checkFolders(
  l: RootLayout,
  platform: NodeJS.Platform = process.platform,
): Promise<FolderCheck[]> {
  const checks: FolderCheck[] = [await writableFolder('root', l.root, false)];
  checks.push(await writableFolder('.tasks', l.tasksDir, true));
  checks.push(await writableFolder('logs', l.logsDir, true));
  if (platform !== 'win32') {
    const run = await runFolderMode(l.runDir);
    if (run) checks.push(run);
  }
  return checks;
}

async function writableFolder(name: string, dir: string, creatable: boolean): Promise<FolderCheck> {
  const st = await fs.stat(dir).catch(() => undefined);
  if (!st) {
    if (!creatable)
      return { name, path: dir, status: 'fail', detail: 'does not exist: create it or pass another --root' };
    const parent = path.dirname(dir);
    return (await canWrite(parent))
      ? { name, path: dir, status: 'ok', detail: 'absent, will be created' }
      : {
          name,
          path: dir,
          status: 'fail',
          detail: `absent and ${parent} is not writable: fix its permissions`,
        };
  }
  if (!st.isDirectory())
    return { name, path: dir, status: 'fail', detail: 'is not a folder: move that file away' };
  return (await canWrite(dir))
    ? { name, path: dir, status: 'ok', detail: 'writable' }
    : { name, path: dir, status: 'fail', detail: 'not writable: fix its permissions' };
}

async function canWrite(dir: string): Promise<boolean> {
  try {
    await fs.access(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

async function runFolderMode(dir: string): Promise<FolderCheck | undefined> {
  const st = await fs.stat(dir).catch(() => undefined);
  if (!st) return undefined;
  return runFolderCheck(dir, st.mode);
}

/** Pure: a warning when the runtime folder's mode lets group or others write (they could plant a socket). */
export function runFolderCheck(dir: string, mode: number): FolderCheck {
  const loose = (mode & 0o022) !== 0;
  const octal = (mode & 0o777).toString(8).padStart(3, '0');
  return loose
    ? {
        name: '.tasks/run',
        path: dir,
        status: 'warn',
        detail: `mode ${octal} is group/world writable: run chmod 700 "${dir}"`,
      }
    : { name: '.tasks/run', path: dir, status: 'ok', detail: `mode ${octal}` };
}
