import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { hasProcfs } from '../process/proc-stat.js';

const execFileAsync = promisify(execFile);

/** Whether `child` is `parent` or lies under it (both absolute and resolved). */
export function isInside(
  child: string,
  parent: string,
  platform: NodeJS.Platform = process.platform,
): boolean {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const rel = p.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !p.isAbsolute(rel));
}

/** Whether a process name or argv[0] is git itself (not git-remote-https and the like, which hold no index lock). */
export function isGitProgram(nameOrArgv0: string): boolean {
  const base = nameOrArgv0.split(/[\\/]/).pop() ?? '';
  return base === 'git' || base.toLowerCase() === 'git.exe';
}

/** Parses `lsof -a -d cwd -p … -Fn` output into pid -> cwd. */
export function parseLsofCwd(text: string): Map<number, string> {
  const out = new Map<number, string>();
  let pid: number | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('p')) pid = Number(line.slice(1));
    else if (line.startsWith('n') && pid !== undefined) out.set(pid, line.slice(1));
  }
  return out;
}

async function realpathOr(p: string): Promise<string> {
  return fs.realpath(p).catch(() => path.resolve(p));
}

/**
 * Pids of live git processes whose working folder is inside one of `dirs` (the work tree and the
 * git dir of a repository). Linux reads /proc (comm or argv[0], and the cwd link); macOS asks `ps`
 * and `lsof`, best effort; Windows cannot read another process's cwd and returns [] (the caller's
 * own registry of git pids is the evidence there). Processes of other users are not readable and
 * are missed.
 */
export async function findGitProcessesIn(
  dirs: string | readonly string[],
  opts: { platform?: NodeJS.Platform } = {},
): Promise<number[]> {
  const platform = opts.platform ?? process.platform;
  const roots = await Promise.all((typeof dirs === 'string' ? [dirs] : dirs).map(realpathOr));
  if (platform === 'win32') return [];
  const inRepo = (cwd: string): boolean => roots.some((r) => isInside(cwd, r, platform));
  if (hasProcfs(platform)) return scanProc(inRepo);
  return scanPsLsof(inRepo);
}

async function scanProc(inRepo: (cwd: string) => boolean): Promise<number[]> {
  const found: number[] = [];
  const names = (await fs.readdir('/proc')).filter((n) => /^\d+$/.test(n) && Number(n) !== process.pid);
  await Promise.all(
    names.map(async (n) => {
      try {
        const comm = (await fs.readFile(`/proc/${n}/comm`, 'utf8')).trim();
        if (!isGitProgram(comm)) {
          const argv0 = (await fs.readFile(`/proc/${n}/cmdline`, 'utf8')).split('\0')[0] ?? '';
          if (!isGitProgram(argv0)) return;
        }
        const cwd = await fs.readlink(`/proc/${n}/cwd`);
        if (inRepo(cwd)) found.push(Number(n));
      } catch {
        // Ended meanwhile, or another user's process.
      }
    }),
  );
  return found.sort((a, b) => a - b);
}

async function scanPsLsof(inRepo: (cwd: string) => boolean): Promise<number[]> {
  try {
    const { stdout } = await execFileAsync('ps', ['-A', '-o', 'pid=,comm='], { windowsHide: true });
    const gitPids = stdout
      .split('\n')
      .map((l) => /^\s*(\d+)\s+(.+)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null && isGitProgram((m[2] ?? '').trim()))
      .map((m) => Number(m[1]))
      .filter((p) => p !== process.pid);
    if (gitPids.length === 0) return [];
    // lsof exits 1 when some pid has ended meanwhile; its output is still good.
    const lsof = await execFileAsync('lsof', ['-a', '-d', 'cwd', '-p', gitPids.join(','), '-Fn'], {
      windowsHide: true,
    }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
    return [...parseLsofCwd(lsof.stdout)]
      .filter(([, cwd]) => inRepo(cwd))
      .map(([pid]) => pid)
      .sort((a, b) => a - b);
  } catch {
    return [];
  }
}
