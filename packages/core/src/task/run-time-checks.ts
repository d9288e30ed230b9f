import path from 'node:path';
import { findExecutableOnHost } from '../tool/find-executable.js';
import type { TaskSpec } from './schema.js';
import { isInside, realpathOrUndefined } from './validate.js';

/**
 * What was checked when a task was queued and can change before it runs: a repo symlink re-pointed
 * outside the allowed roots, an executable removed from PATH, a `files` entry that leaves the repo.
 * Checked again right before each attempt; a refusal is permanent (running it again would not
 * help) and its reason names the rule.
 */

export type RunCheck =
  { ok: true; repo: string; executablePath: string } | { ok: false; rule: RunRule; reason: string };
export type RunRule = 'allowedRepoRoots' | 'executable' | 'files';

/** The repo's real path must lie inside an allowed root (policies.worker.allowedRepoRoots). Pure. */
export function checkRepoRealpath(input: {
  repo: string;
  abs: string;
  real: string | undefined;
  allowedRoots: readonly string[];
  pathApi?: typeof path;
}): { ok: true; real: string } | { ok: false; reason: string } {
  const { repo, abs, real, allowedRoots } = input;
  if (real === undefined) return { ok: false, reason: `repo "${repo}" (${abs}) no longer exists` };
  const inside = allowedRoots.some((r) => real === r || isInside(real, r, input.pathApi));
  if (inside) return { ok: true, real };
  return {
    ok: false,
    reason: `repo "${repo}" now resolves to ${real}, outside the allowed roots (${allowedRoots.join(', ')}; policies.worker.allowedRepoRoots): it changed after the task was queued, so nothing was run`,
  };
}

/**
 * Every `files` entry must name something inside the repo: no absolute path outside it, no `..`
 * that climbs out, and (where it exists) no symlink that leads out. `realOf` resolves an existing
 * path (undefined when it does not exist). Pure apart from `realOf`.
 */
export function checkTaskFiles(
  files: readonly string[],
  repoReal: string,
  realOf: (p: string) => string | undefined = () => undefined,
  pathApi: typeof path = path,
): { ok: true } | { ok: false; reason: string } {
  for (const f of files) {
    const abs = pathApi.resolve(repoReal, f);
    const lexicallyInside = abs === repoReal || isInside(abs, repoReal, pathApi);
    const real = lexicallyInside ? realOf(abs) : undefined;
    const really = real === undefined || real === repoReal || isInside(real, repoReal, pathApi);
    if (!lexicallyInside || !really) {
      return {
        ok: false,
        reason: `field "files": "${f}" leads outside the repo (${real ?? abs}); name files inside ${repoReal} only`,
      };
    }
  }
  return { ok: true };
}

export interface RunCheckContext {
  root: string;
  allowedRoots: readonly string[];
  /** The tool's executable as configured (a name looked up on PATH, or a path). */
  executable: string;
  /** The environment the tool will get (its PATH decides). */
  env: Readonly<Record<string, string | undefined>>;
  realpath?: (p: string) => string | undefined;
  findExecutable?: (
    exe: string,
    env: Readonly<Record<string, string | undefined>>,
    cwd: string,
  ) => string | null;
}

/** The re-check before an attempt: repo realpath, the executable, the files. */
export function recheckAtRunTime(spec: Pick<TaskSpec, 'repo' | 'files'>, ctx: RunCheckContext): RunCheck {
  const realpath = ctx.realpath ?? realpathOrUndefined;
  const abs = path.resolve(ctx.root, spec.repo);
  const repo = checkRepoRealpath({
    repo: spec.repo,
    abs,
    real: realpath(abs),
    allowedRoots: ctx.allowedRoots,
  });
  if (!repo.ok) return { ok: false, rule: 'allowedRepoRoots', reason: repo.reason };
  const files = checkTaskFiles(spec.files, repo.real, realpath);
  if (!files.ok) return { ok: false, rule: 'files', reason: files.reason };
  const found = (ctx.findExecutable ?? findExecutableOnHost)(ctx.executable, ctx.env, repo.real);
  if (found === null) {
    return {
      ok: false,
      rule: 'executable',
      reason: `${ctx.executable} not found on the PATH the tool gets, checked right before the attempt: install it or fix tools.*.executable`,
    };
  }
  return { ok: true, repo: repo.real, executablePath: found };
}
