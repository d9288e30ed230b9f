import fs from 'node:fs';

/**
 * The one reader of Linux /proc for headless: stat (state, parent, group, start time) and environ
 * (the task marker). Everything else asks through process/ownership.ts.
 */

/** The fields of Linux `/proc/<pid>/stat` this package needs. */
export interface ProcStat {
  pid: number;
  /** One of R S D Z X T t I …; Z (zombie) and X (dead) mean the process has ended. */
  state: string;
  ppid: number;
  pgrp: number;
  /** Field 22, clock ticks since boot: with the pid it names one process (pids are reused). */
  startTime: string;
}

/**
 * Parses the text of `/proc/<pid>/stat`. The command name (field 2) sits in parentheses and may itself
 * hold spaces and parentheses, so fields are counted from the last `)`.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const state = rest[0];
  const ppid = Number(rest[1]);
  const pgrp = Number(rest[2]);
  const startTime = rest[19];
  if (
    !Number.isInteger(pid) ||
    state === undefined ||
    !Number.isInteger(ppid) ||
    !Number.isInteger(pgrp) ||
    startTime === undefined
  ) {
    return undefined;
  }
  return { pid, state, ppid, pgrp, startTime };
}

export function readProcStatSync(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The NUL-separated environment block of a process (latin1: bytes kept as they are); undefined when unreadable. */
export async function readProcEnviron(pid: number): Promise<string | undefined> {
  try {
    return await fs.promises.readFile(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return undefined; // gone, or not ours to read
  }
}

/** The pids listed in /proc (Linux), [] when it cannot be read. */
export async function listProcPids(): Promise<number[]> {
  try {
    return (await fs.promises.readdir('/proc')).filter((n) => /^\d+$/.test(n)).map(Number);
  } catch {
    return [];
  }
}

export function readProcEnvironSync(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return undefined;
  }
}

/** Every process visible in /proc, in one pass (a process that ends mid-scan is skipped). */
export async function readProcTable(): Promise<ProcStat[]> {
  const names = await fs.promises.readdir('/proc');
  const pids = names.filter((n) => /^\d+$/.test(n));
  const stats = await Promise.all(
    pids.map(async (p) => {
      try {
        return parseProcStat(await fs.promises.readFile(`/proc/${p}/stat`, 'utf8'));
      } catch {
        return undefined;
      }
    }),
  );
  return stats.filter((s): s is ProcStat => s !== undefined);
}

/** True where /proc is the process table (Linux with procfs mounted). */
export function hasProcfs(platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'linux' && fs.existsSync('/proc/self/stat');
}
