import fs from 'node:fs/promises';
import path from 'node:path';

/** What the guard decides about one reading of free space. */
export type DiskVerdict = { ok: true; freeMb: number } | { ok: false; freeMb: number; reason: string };

const MB = 1024 * 1024;

/**
 * The low-disk rule, pure: below `minFreeMb` free on the volume, no new task is claimed (running
 * ones go on: stopping them would lose work, and they write little besides their capped logs).
 * `minFreeMb` 0 turns the guard off.
 */
export function judgeDisk(input: { freeBytes: number; minFreeMb: number; volume: string }): DiskVerdict {
  const freeMb = Math.floor(input.freeBytes / MB);
  if (input.minFreeMb <= 0 || input.freeBytes >= input.minFreeMb * MB) return { ok: true, freeMb };
  return {
    ok: false,
    freeMb,
    reason: `low disk: ${freeMb} MB free on ${input.volume}, need ${input.minFreeMb} (policies.disk.minFreeMb)`,
  };
}

/**
 * The volume a path lives on, for messages: the longest mount point that contains it (Linux,
 * from /proc/self/mounts), else its drive or filesystem root (`C:\`, `/`).
 */
export function volumeOf(
  target: string,
  mountPoints: readonly string[],
  pathApi: Pick<typeof path, 'parse' | 'sep'> = path,
): string {
  let best: string | undefined;
  for (const m of mountPoints) {
    const inside =
      m === '/' || target === m || target.startsWith(m.endsWith(pathApi.sep) ? m : m + pathApi.sep);
    if (inside && (best === undefined || m.length > best.length)) best = m;
  }
  return best ?? pathApi.parse(target).root;
}

/** Mount points listed in /proc/self/mounts (octal escapes such as `\040` for a space decoded). */
export function parseMounts(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.split(' ')[1])
    .filter((m): m is string => m !== undefined && m.startsWith('/'))
    .map((m) => m.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
}

export interface DiskReading {
  freeBytes: number;
  volume: string;
}

/** Free bytes for an unprivileged writer (`bavail`) on the volume of `dir`, and the volume's name. */
export async function readFreeSpace(dir: string): Promise<DiskReading> {
  const st = await fs.statfs(dir);
  let mounts: string[] = [];
  if (process.platform === 'linux') {
    mounts = parseMounts(await fs.readFile('/proc/self/mounts', 'utf8').catch(() => ''));
  }
  return { freeBytes: Number(st.bavail) * Number(st.bsize), volume: volumeOf(path.resolve(dir), mounts) };
}
