import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface SmallDisk {
  dir: string;
  /** Changes the size (a full disk gets room again without losing its files). */
  resize(sizeMb: number): void;
  /** Fills the disk up to the last few KB with a filler file; `unfill` removes it. */
  fill(): void;
  unfill(): void;
  /** Makes the file system read-only (EROFS for every write) or writable again. */
  remountReadOnly(readOnly: boolean): void;
  unmount(): void;
}

/**
 * A real small file system (tmpfs) mounted on `dir`, so full-disk behaviour is tested against the
 * kernel's own ENOSPC instead of a simulation. Needs Linux and root (CI and the dev machines run
 * as root); returns undefined where it cannot mount, and the caller skips with that reason.
 */
export function mountSmallDisk(dir: string, sizeMb: number): SmallDisk | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return undefined;
  fs.mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const filler = path.join(dir, '.filler');
  return {
    dir,
    resize: (mb) => execFileSync('mount', ['-o', `remount,size=${mb}m`, dir], { stdio: 'ignore' }),
    fill: () => {
      // Written in chunks until the kernel says no: exactly "full", whatever is on it already.
      const fd = fs.openSync(filler, 'a');
      const chunk = Buffer.alloc(64 * 1024);
      try {
        for (;;) fs.writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        fs.closeSync(fd);
      }
    },
    unfill: () => fs.rmSync(filler, { force: true }),
    remountReadOnly: (ro) =>
      execFileSync('mount', ['-o', `remount,${ro ? 'ro' : 'rw'}`, dir], { stdio: 'ignore' }),
    unmount: () => {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    },
  };
}
