import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import type { ToolSpec, ToolsConfig } from '@headless/core/config/schema';
import { buildChildEnv } from '@headless/core/process/env';

/**
 * Is each AI CLI logged in? The cheapest check each CLI offers, never a model call (from their
 * --help, 2026-12: claude 2.1.332, codex-cli 0.171.0, gemini 0.61.0):
 * - claude: `claude auth status --json` prints `{"loggedIn": false, "authMethod": "none", …}`
 *   (exit 1 when logged out, recorded).
 * - codex: `codex login status` prints `Not logged in` on stderr and exits 1 (recorded), or
 *   `Logged in using …` and exits 0.
 * - gemini has no status command: without GEMINI_API_KEY / GOOGLE_API_KEY / Vertex / GCA settings
 *   and without cached Google credentials (~/.gemini/oauth_creds.json) it fails with exit 41 (not
 *   logged in); with one of them it is "unknown" (a key cannot be checked without a model call).
 * The check runs with the environment the worker gives the tool (envPass, secretEnv, tools.<t>.env).
 */

export type LoginState = 'logged in' | 'not logged in' | 'unknown';

export interface LoginCheck {
  state: LoginState;
  detail: string;
}

export interface ProbeResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}
export type LoginProbe = (
  file: string,
  args: string[],
  env: Record<string, string>,
) => Promise<ProbeResult | null>;

type Kind = 'claude' | 'codex' | 'gemini';

function kindOf(tool: ToolSpec): Kind | undefined {
  if (tool.output === 'claude-json') return 'claude';
  if (tool.output === 'codex-jsonl') return 'codex';
  if (tool.output === 'gemini-json') return 'gemini';
  return undefined;
}

/** The login check of one found tool, or undefined for tools that have no login. */
export async function checkLogin(
  name: string,
  tool: ToolSpec,
  file: string,
  config: Pick<ToolsConfig, 'envPass' | 'secretEnv'>,
  parentEnv: NodeJS.ProcessEnv,
  probe: LoginProbe = runProbe,
): Promise<LoginCheck | undefined> {
  const kind = kindOf(tool);
  if (kind === undefined) return undefined;
  const { env } = buildChildEnv(parentEnv, {
    pass: config.envPass,
    extraPass: tool.envPass,
    set: tool.env,
    secretNames: config.secretEnv,
  });
  switch (kind) {
    case 'claude':
      return readClaudeStatus(await probe(file, ['auth', 'status', '--json'], env), name);
    case 'codex':
      return readCodexStatus(await probe(file, ['login', 'status'], env), name);
    case 'gemini':
      return geminiLogin(env, name);
  }
}

export function readClaudeStatus(r: ProbeResult | null, name = 'claude'): LoginCheck {
  if (r === null) return { state: 'unknown', detail: `${name} auth status gave no answer` };
  try {
    const status = JSON.parse(r.stdout) as { loggedIn?: unknown; authMethod?: unknown };
    if (status.loggedIn === true)
      return { state: 'logged in', detail: `${name}: logged in (${String(status.authMethod)})` };
    if (status.loggedIn === false) {
      return {
        state: 'not logged in',
        detail: `${name} is not logged in: run \`claude auth login\` (or /login in claude) as the user headless runs as, or set ANTHROPIC_API_KEY and list it in tools.${name}.envPass`,
      };
    }
  } catch {
    // Older builds have no `auth status`: fall through.
  }
  return {
    state: 'unknown',
    detail: `${name} auth status: ${firstLine(r.stderr || r.stdout) || `exit ${r.exitCode}`}`,
  };
}

export function readCodexStatus(r: ProbeResult | null, name = 'codex'): LoginCheck {
  if (r === null) return { state: 'unknown', detail: `${name} login status gave no answer` };
  const text = `${r.stdout}\n${r.stderr}`;
  if (/\bNot logged in\b/i.test(text)) {
    return {
      state: 'not logged in',
      detail: `${name} is not logged in: run \`codex login\` as the user headless runs as, or set CODEX_API_KEY and list it in tools.${name}.envPass`,
    };
  }
  const line = text.split(/\r?\n/).find((l) => /Logged in/i.test(l));
  if (r.exitCode === 0 && line) return { state: 'logged in', detail: `${name}: ${line.trim()}` };
  return {
    state: 'unknown',
    detail: `${name} login status: ${firstLine(r.stderr || r.stdout) || `exit ${r.exitCode}`}`,
  };
}

const GEMINI_KEYS = ['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_GENAI_USE_VERTEXAI', 'GOOGLE_GENAI_USE_GCA'];

export function geminiLogin(env: Record<string, string>, name = 'gemini'): LoginCheck {
  const key = GEMINI_KEYS.find((k) => (env[k] ?? '') !== '');
  if (key)
    return {
      state: 'unknown',
      detail: `${name}: ${key} is set (gemini cannot check it without a model call)`,
    };
  const home = env.HOME ?? env.USERPROFILE;
  if (home && fs.existsSync(path.join(home, '.gemini', 'oauth_creds.json'))) {
    return { state: 'unknown', detail: `${name}: a cached Google login is there (checked only on use)` };
  }
  return {
    state: 'not logged in',
    detail: `${name} has no credentials: set GEMINI_API_KEY and list it in tools.${name}.envPass, or log in once with gemini as the user headless runs as`,
  };
}

function firstLine(text: string): string {
  return (
    text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find((l) => l !== '' && !l.startsWith('WARNING:')) ?? ''
  ).slice(0, 200);
}

async function runProbe(
  file: string,
  args: string[],
  env: Record<string, string>,
): Promise<ProbeResult | null> {
  const r = await execa(file, args, {
    env,
    extendEnv: false,
    stdin: 'ignore',
    windowsHide: true,
    timeout: 10000,
    reject: false,
  });
  if (r.timedOut || (r.exitCode === undefined && r.failed)) return null;
  return { exitCode: r.exitCode ?? null, stdout: String(r.stdout), stderr: String(r.stderr) };
}
