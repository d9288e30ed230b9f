import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * The ledger is one live file (`logs/ledger.jsonl`) plus the numbered segments it was rotated into
 * (`ledger.1.jsonl` oldest, `ledger.2.jsonl`, ...). A segment never changes name once written: the
 * live file becomes the next number, so a reader listing the folder mid-rotation sees each record
 * in exactly one file, and nothing is renamed in a cascade.
 */

/** `ledger.jsonl` -> { stem: 'ledger', ext: '.jsonl' }. */
function split(file: string): { dir: string; stem: string; ext: string } {
  const ext = path.extname(file);
  return { dir: path.dirname(file), stem: path.basename(file, ext), ext };
}

/** The segment number of `name` for the live file `file`, or undefined when it is not one. */
export function segmentNumber(file: string, name: string): number | undefined {
  const { stem, ext } = split(file);
  if (!name.startsWith(`${stem}.`) || !name.endsWith(ext)) return undefined;
  const mid = name.slice(stem.length + 1, name.length - ext.length);
  return /^[1-9]\d{0,8}$/.test(mid) ? Number(mid) : undefined;
}

export function segmentPath(file: string, n: number): string {
  const { dir, stem, ext } = split(file);
  return path.join(dir, `${stem}.${n}${ext}`);
}

/** Every file of the ledger in reading order: segments oldest first, then the live file. */
export async function ledgerFiles(file: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(path.dirname(file));
  } catch {
    return [file];
  }
  const numbers = names
    .map((n) => segmentNumber(file, n))
    .filter((n): n is number => n !== undefined)
    .sort((a, b) => a - b);
  return [...numbers.map((n) => segmentPath(file, n)), file];
}

/**
 * Moves the live file to the next free segment number. Never overwrites a segment: the move is a
 * hard link (fails if the name is taken, then the next number is tried) and an unlink. Returns the
 * segment, or undefined when nothing was moved (no live file, or the file system refused: a Windows
 * reader holding it open; rotation is tried again at the next append).
 */
export async function rotateLedger(file: string): Promise<string | undefined> {
  const files = await ledgerFiles(file);
  const last =
    files.length > 1 ? (segmentNumber(file, path.basename(files[files.length - 2] as string)) ?? 0) : 0;
  for (let n = last + 1; n < last + 100; n++) {
    const seg = segmentPath(file, n);
    try {
      await fs.link(file, seg);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code === 'ENOENT') return undefined;
      // No hard links here (FAT, some network shares): a rename to a name that is free.
      try {
        await fs.access(seg);
        continue;
      } catch {
        try {
          await fs.rename(file, seg);
          return seg;
        } catch {
          return undefined;
        }
      }
    }
    try {
      await fs.unlink(file);
    } catch {
      // Could not remove the live name: undo the link so no record is read twice.
      await fs.unlink(seg).catch(() => undefined);
      return undefined;
    }
    return seg;
  }
  return undefined;
}
