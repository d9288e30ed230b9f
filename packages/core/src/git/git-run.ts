import { loadExeca } from '../process/load-execa.js';

export interface GitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs one git command in `cwd`. Never throws for a non-zero exit: callers read `exitCode` and git's own words. */
export type GitRunner = (cwd: string, args: readonly string[], opts?: GitRunOptions) => Promise<GitResult>;

export interface GitRunOptions {
  /** Extra environment for this command (e.g. the commit identity). */
  env?: Readonly<Record<string, string>>;
}

export interface GitRunnerOptions {
  executable?: string;
  /** The base environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/**
 * git as headless runs it for its own bookkeeping: no shell, no window, stdin closed, and every
 * way git could wait for a person switched off (terminal prompts, the credential manager's
 * dialog, an editor). Messages stay in English so reasons read the same on every machine.
 */
export function createGitRunner(opts: GitRunnerOptions = {}): GitRunner {
  const executable = opts.executable ?? 'git';
  return async (cwd, args, runOpts = {}) => {
    const execa = await loadExeca();
    const result = await execa(executable, [...args], {
      cwd,
      env: {
        ...(opts.env ?? process.env),
        GIT_TERMINAL_PROMPT: '0',
        GCM_INTERACTIVE: 'never',
        GIT_EDITOR: 'true',
        LC_ALL: 'C',
        ...runOpts.env,
      },
      extendEnv: false,
      shell: false,
      windowsHide: true,
      stdin: 'ignore',
      reject: false,
      stripFinalNewline: false,
      timeout: opts.timeoutMs ?? 120_000,
    });
    const stderr = typeof result.stderr === 'string' ? result.stderr : '';
    return {
      exitCode: result.exitCode ?? (result.failed ? 128 : 0),
      stdout: typeof result.stdout === 'string' ? result.stdout : '',
      stderr: result.exitCode === undefined && result.shortMessage ? result.shortMessage : stderr,
    };
  };
}

/** git's reason for a failure, on one line: its `fatal:`/`error:` lines, else the last line of stderr. */
export function gitReason(result: GitResult): string {
  const lines = result.stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const pointed = lines.filter((l) => /^(fatal|error):/.test(l));
  const chosen = pointed.length ? pointed : lines.slice(-1);
  return chosen.join('; ') || `git exited with code ${result.exitCode}`;
}
