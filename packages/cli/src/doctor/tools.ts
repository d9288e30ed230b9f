import { execa } from 'execa';
import type { ToolsConfig } from '@headless/core/config/schema';
import { findExecutableOnHost } from '@headless/core/tool/find-executable';
import { resolveToolExecutable } from '@headless/core/tool/self';
import type { CheckStatus } from './folders.js';
import { checkLogin, type LoginCheck, type LoginProbe } from './login.js';

export interface ToolCheck {
  tool: string;
  executable: string;
  /** Absolute path found, or null when the executable is not on PATH. */
  foundAt: string | null;
  /** First line of `<exe> --version`, or null. */
  version: string | null;
  status: CheckStatus;
  detail: string;
  /** AI CLIs only: logged in, not, or unknown (see login.ts). */
  login?: LoginCheck;
}

export type VersionProbe = (file: string, env: NodeJS.ProcessEnv) => Promise<string | null>;

/**
 * Looks up every configured tool on PATH (PATHEXT on Windows) and asks each found one for its
 * version. A missing tool is a warning, not a failure: tasks for it will fail, others run.
 */
export async function checkTools(
  config: ToolsConfig,
  env: NodeJS.ProcessEnv,
  cwd: string,
  probe: VersionProbe = probeVersion,
  loginProbe?: LoginProbe,
): Promise<ToolCheck[]> {
  return Promise.all(
    Object.entries(config.tools).map(async ([tool, spec]): Promise<ToolCheck> => {
      // `{node}` (the built-in quality tool) is the node running headless.
      const foundAt = findExecutableOnHost(resolveToolExecutable(spec.executable), env, cwd);
      if (foundAt === null) {
        return {
          tool,
          executable: spec.executable,
          foundAt: null,
          version: null,
          status: 'warn',
          detail: missingToolHint(tool, spec.executable),
        };
      }
      const [version, login] = await Promise.all([
        probe(foundAt, env),
        checkLogin(tool, spec, foundAt, config, env, loginProbe),
      ]);
      // Not logged in: its tasks would all stop for a login, so it is worth a warning.
      const loggedOut = login?.state === 'not logged in';
      return {
        tool,
        executable: spec.executable,
        foundAt,
        version,
        status: version === null || loggedOut ? 'warn' : 'ok',
        detail: version === null ? `${foundAt} --version gave no answer within 5 s` : 'found',
        ...(login ? { login } : {}),
      };
    }),
  );
}

export function missingToolHint(tool: string, executable: string): string {
  const where = executable.includes('/') || executable.includes('\\') ? `at ${executable}` : 'on PATH';
  return `${executable} not found ${where}: install it or set "executable" for tools.${tool} in config/tools.json`;
}

/** `<file> --version`, first non-empty line of its output, or null (error, non-zero exit, timeout). */
export async function probeVersion(file: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  const result = await execa(file, ['--version'], {
    env,
    extendEnv: false,
    // A closed stdin: some CLIs wait for input on an open pipe (codex) even for --version.
    stdin: 'ignore',
    windowsHide: true,
    timeout: 5000,
    reject: false,
    all: true,
  });
  if (result.failed || result.exitCode !== 0) return null;
  const line = String(result.all ?? '')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .find((s) => s !== '');
  return line ?? null;
}
