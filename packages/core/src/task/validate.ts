import fs from 'node:fs';
import path from 'node:path';
import type * as z from 'zod/mini';
import type { PoliciesConfig, ToolSpec, ToolsConfig } from '../config/schema.js';
import { buildCommand, CommandBuildError, type CommandTask } from '../tool/command.js';
import { showValue } from '../config/json-path.js';
import { matchesEnvPattern } from '../process/env.js';
import { TaskSpec } from './schema.js';
import { checkTaskFiles } from './run-time-checks.js';

export interface ValidationContext {
  root: string;
  tools: ToolsConfig['tools'];
  /** Absolute, resolved folders that task repos must lie in. */
  allowedRoots: readonly string[];
  maxLineBytes: number;
  /** Names of secret variables (tools.secretEnv): a task may not carry them, they would be stored in .tasks/. */
  secretEnv?: readonly string[];
  /** Resolves symlinks of an existing path, or returns undefined when it does not exist. */
  realpath?: (p: string) => string | undefined;
}

export type LineVerdict = { ok: true; spec: TaskSpec; repo: string } | { ok: false; reason: string };

export function realpathOrUndefined(p: string): string | undefined {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return undefined;
  }
}

/** The validation context of a root, from its config: what the worker, enqueue and retry all check against. */
export function validationContext(
  root: string,
  tools: ToolsConfig,
  policies: Pick<PoliciesConfig, 'worker'>,
): ValidationContext {
  return {
    root,
    tools: tools.tools,
    allowedRoots: resolveAllowedRoots(root, policies.worker.allowedRepoRoots),
    maxLineBytes: policies.worker.maxLineBytes,
    secretEnv: tools.secretEnv,
  };
}

/** The command-builder's view of a task. */
export function commandTask(spec: TaskSpec, repo: string): CommandTask {
  return {
    id: spec.id,
    args: spec.args,
    files: spec.files,
    flags: spec.flags,
    repo,
    ...(spec.prompt !== undefined ? { prompt: spec.prompt } : {}),
  };
}

/** Allowed repo roots from policy, resolved against the root (and through symlinks where they exist). */
export function resolveAllowedRoots(root: string, configured: readonly string[]): string[] {
  return configured.map((r) => {
    const abs = path.resolve(root, r);
    return realpathOrUndefined(abs) ?? abs;
  });
}

/** Validates one inbox line. Pure apart from the injected realpath; the reason names the field and the fix. */
export function validateTaskLine(text: string, ctx: ValidationContext): LineVerdict {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > ctx.maxLineBytes) {
    return {
      ok: false,
      reason: `line is ${bytes} bytes; the limit is ${ctx.maxLineBytes} (policies.worker.maxLineBytes): put long prompts in a file`,
    };
  }
  if (text.includes('\u0000'))
    return { ok: false, reason: 'line contains a NUL byte: the file is binary or damaged' };
  let value: unknown;
  try {
    // A BOM can stand at the start of any line when files from Windows tools are concatenated.
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    return { ok: false, reason: `invalid JSON: ${(err as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      ok: false,
      reason: `a task line must be a JSON object, found ${Array.isArray(value) ? 'an array' : showValue(value, 40)}`,
    };
  }
  const parsed = TaskSpec.safeParse(value);
  if (!parsed.success)
    return { ok: false, reason: describeIssues(parsed.error.issues, value as Record<string, unknown>) };
  const spec = parsed.data;
  if (spec.after.includes(spec.id))
    return { ok: false, reason: `field "after": task ${spec.id} cannot wait for itself` };
  if (spec.base !== undefined && spec.worktree === false) {
    return {
      ok: false,
      reason: 'field "base": a base needs a worktree; drop "base" or set "worktree": true',
    };
  }
  if (!Object.hasOwn(ctx.tools, spec.tool)) {
    const known = Object.keys(ctx.tools).sort().join(', ');
    return {
      ok: false,
      reason: `unknown tool "${spec.tool}": configured tools are ${known} (add it to config/tools.json)`,
    };
  }
  const secret = Object.keys(spec.env).find((k) =>
    (ctx.secretEnv ?? []).some((p) => matchesEnvPattern(k, p, true)),
  );
  if (secret !== undefined) {
    return {
      ok: false,
      reason: `field "env.${secret}": a secret does not go in a task (task records are kept in .tasks/); set ${secret} in the worker's environment and list it in envPass (tools.secretEnv keeps it out of logs)`,
    };
  }
  const repo = checkRepo(spec.repo, ctx);
  if (typeof repo !== 'string') return { ok: false, reason: repo.reason };
  const files = checkTaskFiles(spec.files, repo, ctx.realpath ?? realpathOrUndefined);
  if (!files.ok) return { ok: false, reason: files.reason };
  // A prompt the tool cannot take (or a missing one) is refused now, not at the first attempt.
  try {
    buildCommand(spec.tool, ctx.tools[spec.tool] as ToolSpec, commandTask(spec, repo), {
      scratchDir: path.join(repo, '.headless-validate'),
    });
  } catch (err) {
    if (err instanceof CommandBuildError) return { ok: false, reason: err.message };
    throw err;
  }
  return { ok: true, spec, repo };
}

function checkRepo(repo: string, ctx: ValidationContext): string | { reason: string } {
  const realpath = ctx.realpath ?? realpathOrUndefined;
  const abs = path.resolve(ctx.root, repo);
  const real = realpath(abs);
  if (real === undefined) return { reason: `repo "${repo}" (${abs}) does not exist` };
  const inside = ctx.allowedRoots.some((r) => real === r || isInside(real, r));
  if (!inside) {
    return {
      reason: `repo "${repo}" resolves to ${real}, outside the allowed roots (${ctx.allowedRoots.join(', ')}): add its folder to policies.worker.allowedRepoRoots`,
    };
  }
  return real;
}

export function isInside(child: string, parent: string, pathApi: typeof path = path): boolean {
  const rel = pathApi.relative(parent, child);
  // `..foo` is a name inside; only `..` itself or `../...` climbs out.
  const climbs = rel === '..' || rel.startsWith(`..${pathApi.sep}`);
  return rel !== '' && !climbs && !pathApi.isAbsolute(rel);
}

function describeIssues(issues: readonly z.core.$ZodIssue[], value: Record<string, unknown>): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const field = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') {
        return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (allowed: ${Object.keys(TaskSpec.shape).join(', ')})`;
      }
      const top = issue.path[0];
      if (top !== undefined && issue.path.length === 1 && !(String(top) in value))
        return `missing field "${field}"`;
      let found = '';
      if (issue.path.length > 0) {
        let cur: unknown = value;
        for (const p of issue.path)
          cur = (cur as Record<string | number, unknown> | undefined)?.[p as string];
        found = `, found ${showValue(cur)}`;
      }
      return `field "${field}": ${issue.message}${found}`;
    })
    .join('; ');
}
