import fs from 'node:fs';
import path from 'node:path';

/**
 * Finds the file a tool name runs, the way the OS would, so the worker can (a) report "not found"
 * with a useful message before spawning and (b) spawn an absolute path. Pure: the file system is
 * the `exists` callback.
 *
 * Unlike cmd.exe and libuv on Windows, the current folder is NOT searched for a bare name: a task's
 * repository must not be able to plant its own `codex.cmd`.
 */
export interface FindExecutableOptions {
  pathEnv: string;
  platform: NodeJS.Platform;
  /** Windows only: extensions to try, e.g. `.COM;.EXE;.BAT;.CMD`. */
  pathExt?: string;
  /** Resolves a relative path such as `./bin/tool`. */
  cwd: string;
  exists: (p: string) => boolean;
}

const DEFAULT_PATHEXT = '.COM;.EXE;.BAT;.CMD';

export function findExecutable(executable: string, opts: FindExecutableOptions): string | null {
  const win = opts.platform === 'win32';
  const p = win ? path.win32 : path.posix;
  const exts = win ? extensions(opts.pathExt) : [''];
  const candidates = (base: string): string[] => {
    if (!win) return [base];
    // A name that already ends in a known extension is tried as is first.
    const own = exts.some((e) => base.toLowerCase().endsWith(e.toLowerCase())) ? [base] : [];
    return [...own, ...exts.map((e) => base + e)];
  };

  const hasSeparator = win ? /[\\/]/.test(executable) : executable.includes('/');
  if (hasSeparator || p.isAbsolute(executable)) {
    const full = p.resolve(opts.cwd, executable);
    return candidates(full).find((c) => opts.exists(c)) ?? null;
  }

  for (const rawDir of opts.pathEnv.split(win ? ';' : ':')) {
    // Windows PATH entries may be quoted; an empty POSIX entry means the current folder (skipped, see above).
    const dir = win ? rawDir.trim().replace(/^"(.*)"$/, '$1') : rawDir;
    if (dir === '') continue;
    for (const c of candidates(p.join(dir, executable))) {
      if (opts.exists(c)) return c;
    }
  }
  return null;
}

function extensions(pathExt: string | undefined): string[] {
  const list = (pathExt && pathExt.trim() !== '' ? pathExt : DEFAULT_PATHEXT)
    .split(';')
    // Lower case, as npm writes its shims (`codex.cmd`); Windows file names ignore case anyway.
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e.startsWith('.'));
  return list.length > 0 ? list : DEFAULT_PATHEXT.toLowerCase().split(';');
}

/** Environment lookup that is case-insensitive on Windows (`Path` vs `PATH`). */
function envValue(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  win: boolean,
): string | undefined {
  if (!win) return env[name];
  const key = Object.keys(env).find((k) => k.toUpperCase() === name);
  return key === undefined ? undefined : env[key];
}

/** findExecutable against this machine's file system: a regular file, executable on POSIX. */
export function findExecutableOnHost(
  executable: string,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string = process.cwd(),
): string | null {
  const win = process.platform === 'win32';
  return findExecutable(executable, {
    pathEnv: envValue(env, 'PATH', win) ?? '',
    platform: process.platform,
    pathExt: envValue(env, 'PATHEXT', win),
    cwd,
    exists: (file) => {
      try {
        const st = fs.statSync(file);
        return st.isFile() && (win || (st.mode & 0o111) !== 0);
      } catch {
        return false;
      }
    },
  });
}
