import fs from 'node:fs';
import path from 'node:path';

export interface ResolveOptions {
  env: Readonly<Record<string, string>>;
  cwd: string;
  platform?: NodeJS.Platform;
  /** Whether a path is a runnable file; injected by tests of the Windows rules. */
  isExecutable?: (file: string) => boolean;
}

/** The value of a variable, by the platform's rule (case-insensitive on Windows). */
export function envValue(
  env: Readonly<Record<string, string>>,
  name: string,
  platform: NodeJS.Platform,
): string | undefined {
  if (platform !== 'win32') return env[name];
  const key = Object.keys(env)
    .sort()
    .find((k) => k.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : env[key];
}

/**
 * The absolute path of `executable`, looked up on the child's own PATH (not the runner's), or
 * undefined. A name with a path separator is taken relative to `cwd`. Windows also tries PATHEXT
 * (`claude` finds `claude.cmd`); execa then wraps a .cmd in cmd.exe with its own escaping.
 */
export function resolveExecutable(executable: string, opts: ResolveOptions): string | undefined {
  const platform = opts.platform ?? process.platform;
  const p = platform === 'win32' ? path.win32 : path.posix;
  const isExec = opts.isExecutable ?? ((f: string) => defaultIsExecutable(f, platform));
  const exts =
    platform === 'win32'
      ? [
          '',
          ...(envValue(opts.env, 'PATHEXT', platform) ?? '.COM;.EXE;.BAT;.CMD')
            .split(';')
            .filter((e) => e !== ''),
        ]
      : [''];
  const tryBase = (base: string): string | undefined => {
    for (const ext of exts) {
      const candidate = base + ext;
      if (isExec(candidate)) return candidate;
    }
    return undefined;
  };
  const hasSeparator = executable.includes('/') || (platform === 'win32' && executable.includes('\\'));
  if (p.isAbsolute(executable) || hasSeparator) return tryBase(p.resolve(opts.cwd, executable));
  const dirs = (envValue(opts.env, 'PATH', platform) ?? '').split(p.delimiter);
  for (const raw of dirs) {
    const dir = raw.length > 1 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
    if (dir === '') continue;
    const found = tryBase(p.resolve(opts.cwd, dir, executable));
    if (found !== undefined) return found;
  }
  return undefined;
}

function defaultIsExecutable(file: string, platform: NodeJS.Platform): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return false;
    if (platform === 'win32') return true;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
