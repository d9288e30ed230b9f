/**
 * The pre-commit step `headless init --hooks` installs (the blueprint's optional pre-commit): the
 * fast steps on the staged files through `headless quality --staged`. A commit is refused when a
 * step fails (exit 1) or the gate is misconfigured (exit 2); it is never refused because headless
 * itself is missing: the hook says so and lets the commit through. Pure: texts come back.
 */

export const HOOK_MARKER = 'headless init --hooks';
/** The script the pre-commit framework's entry runs (committed with the repository, no absolute paths). */
export const FRAMEWORK_SCRIPT = '.headless/pre-commit';
export const FRAMEWORK_HOOK_ID = 'headless-quality';

export interface HookPaths {
  /** The node and CLI script of the headless that installed the hook (tried first). */
  node: string;
  headlessBin: string;
  /** The headless root: the step logs go to its logs/quality/. */
  root: string;
}

/** A path as POSIX sh reads it in single quotes: forward slashes (Git for Windows' sh takes C:/x). */
function shQuote(p: string): string {
  return `'${p.replace(/\\/g, '/').replace(/'/g, `'\\''`)}'`;
}

const MISSING =
  'echo "headless pre-commit: headless not found; this commit was not checked (install headless or remove the hook)" >&2\nexit 0\n';

/** .git/hooks/pre-commit: this headless by absolute path, else `headless` on PATH, else let through. */
export function gitHookScript(p: HookPaths): string {
  return `#!/bin/sh
# Written by \`${HOOK_MARKER}\`: ruff format --check, ruff check and eslint on the staged files.
# Refuses the commit when a step fails (skip once with \`git commit --no-verify\`); never because
# headless is missing.
node=${shQuote(p.node)}
bin=${shQuote(p.headlessBin)}
root=${shQuote(p.root)}
if [ -f "$bin" ] && [ -f "$node" ]; then
  exec "$node" "$bin" quality --staged --repo . --root "$root"
fi
if command -v headless >/dev/null 2>&1; then
  exec headless quality --staged --repo . --root "$root"
fi
${MISSING}`;
}

/** .headless/pre-commit for the pre-commit framework: $HEADLESS_BIN, else `headless` on PATH, else let through. */
export function frameworkScript(): string {
  return `#!/bin/sh
# Written by \`${HOOK_MARKER}\` for the pre-commit framework (.pre-commit-config.yaml runs it):
# ruff format --check, ruff check and eslint on the staged files through headless. Never refuses a
# commit because headless is missing.
if [ -n "$HEADLESS_BIN" ] && [ -f "$HEADLESS_BIN" ]; then
  exec node "$HEADLESS_BIN" quality --staged --repo .
fi
if command -v headless >/dev/null 2>&1; then
  exec headless quality --staged --repo .
fi
${MISSING}`;
}

/** The local hook entry added to .pre-commit-config.yaml's `repos`. */
export function frameworkRepoEntry(): Record<string, unknown> {
  return {
    repo: 'local',
    hooks: [
      {
        id: FRAMEWORK_HOOK_ID,
        name: 'headless quality (staged files)',
        entry: `sh ${FRAMEWORK_SCRIPT}`,
        language: 'system',
        pass_filenames: false,
        always_run: true,
      },
    ],
  };
}
