import { IPC_SECRETS } from '../ipc/env-names.js';

/**
 * The child's environment: only allow-listed variables pass (a tool sees no API key it was not
 * given), and the secret values among them are returned so every log can redact them.
 */

/** Length below which a value is not treated as a secret: redacting "1" or "yes" would shred every log. */
const MIN_SECRET_LENGTH = 4;

/**
 * Whether `name` matches `pattern`: `FOO_*` is a prefix, `*_TOKEN` a suffix, `*KEY*` a substring,
 * anything else exact. `caseInsensitive` for Windows, where `Path` and `PATH` are one variable.
 */
export function matchesEnvPattern(name: string, pattern: string, caseInsensitive: boolean): boolean {
  const n = caseInsensitive ? name.toUpperCase() : name;
  const p = caseInsensitive ? pattern.toUpperCase() : pattern;
  const lead = p.startsWith('*');
  const trail = p.endsWith('*') && p.length > 1;
  const core = p.slice(lead ? 1 : 0, trail ? -1 : undefined);
  if (lead && trail) return n.includes(core);
  if (lead) return n.endsWith(core);
  if (trail) return n.startsWith(core);
  return n === p;
}

export interface ChildEnvOptions {
  /** Global allow-list (config envPass). */
  pass: readonly string[];
  /** The tool's own additions to the allow-list. */
  extraPass?: readonly string[];
  /** The tool's settings (config `env`): they win over the task's values. */
  set?: Record<string, string>;
  /** Values the task asks for. */
  taskEnv?: Record<string, string>;
  /** Names whose values are secrets (config secretEnv); matched case-insensitively everywhere. */
  secretNames: readonly string[];
  platform?: NodeJS.Platform;
}

export function buildChildEnv(
  parent: NodeJS.ProcessEnv,
  opts: ChildEnvOptions,
): { env: Record<string, string>; secrets: string[] } {
  const ci = (opts.platform ?? process.platform) === 'win32';
  const allow = [...opts.pass, ...(opts.extraPass ?? [])];
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined || IPC_SECRETS.includes(ci ? name.toUpperCase() : name)) continue;
    if (allow.some((p) => matchesEnvPattern(name, p, ci))) env[name] = value;
  }
  const put = (name: string, value: string): void => {
    if (ci) {
      // One spelling per variable on Windows, or the child sees whichever Node sorts first.
      for (const key of Object.keys(env)) if (key.toUpperCase() === name.toUpperCase()) delete env[key];
    }
    env[name] = value;
  };
  // Task values first, tool settings last: a task cannot undo e.g. GIT_TERMINAL_PROMPT=0.
  for (const [k, v] of Object.entries(opts.taskEnv ?? {})) put(k, v);
  for (const [k, v] of Object.entries(opts.set ?? {})) put(k, v);

  const secrets = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value.length >= MIN_SECRET_LENGTH && opts.secretNames.some((p) => matchesEnvPattern(name, p, true)))
      secrets.add(value);
  }
  return { env, secrets: [...secrets] };
}
