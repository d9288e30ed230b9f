import { createHash } from 'node:crypto';
import path from 'node:path';

/** Longest path Windows APIs take without the `\\?\` prefix: MAX_PATH (260) less the closing NUL. */
export const WINDOWS_MAX_PATH = 259;
/** Longest file name (one path component) on NTFS, ext4, APFS: 255 (UTF-16 units or bytes). */
export const NAME_MAX = 255;

/** The short name that stands in for a name that cannot be kept: the stamp, a digest of the name, `.jsonl`. */
export function shortMovedName(stamp: string, original: string): string {
  const digest = createHash('sha256').update(original).digest('hex').slice(0, 12);
  return `${stamp}--${digest}.jsonl`;
}

/**
 * The name an inbox file gets when it moves to `dir` (`.tasks/ingested`, `.tasks/quarantine/files`):
 * `<stamp>--<original>` when that fits both a file name (255 bytes) and a Windows path (259
 * characters), else the short name, with `shortened` set so the caller records the original next
 * to it. A user's long file name must never make the file impossible to move out of the inbox.
 */
export function movedName(
  dir: string,
  stamp: string,
  original: string,
  opts: { maxPath?: number; pathApi?: Pick<typeof path, 'join'> } = {},
): { name: string; shortened: boolean } {
  const full = `${stamp}--${original}`;
  const dest = (opts.pathApi ?? path).join(dir, full);
  const fits =
    Buffer.byteLength(full, 'utf8') <= NAME_MAX && dest.length <= (opts.maxPath ?? WINDOWS_MAX_PATH);
  return fits ? { name: full, shortened: false } : { name: shortMovedName(stamp, original), shortened: true };
}

/** `<short>.name.txt`: where the original of a shortened name is kept, beside the moved file. */
export const originalNameFile = (movedPath: string): string =>
  `${movedPath.replace(/\.jsonl$/, '')}.name.txt`;
