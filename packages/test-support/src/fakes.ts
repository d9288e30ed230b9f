import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The fake AI CLIs (claude, codex, gemini, aider) and `slowtool`, for tests: plain node scripts
 * that parse argv like the real CLIs and play a scenario chosen by $FAKE_SCENARIO or a
 * `SCENARIO: <name>` line in the prompt. See docs/tools.md ("Fake CLIs"). Each has a `.cmd` shim
 * beside it in the old npm style (`node "%~dp0\claude" %*`), so that on Windows the PATHEXT
 * lookup finds `claude.cmd` and the runner resolves it to node + the script, as it does a real
 * npm shim (Wine's cmd cannot run npm's current shim style; the old one it can).
 */
export const FAKES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fakes');

/** A PATH with the fakes first, then `extraPath` (default: this process's PATH). */
export function pathWithFakes(extraPath: string = process.env.PATH ?? ''): string {
  return extraPath === '' ? FAKES_DIR : `${FAKES_DIR}${path.delimiter}${extraPath}`;
}

/**
 * A folder holding only the fake `pwsh` (fakes-pwsh/pwsh): Pester 5's console output and NUnit XML
 * for the quality gate's Pester step. Kept apart from FAKES_DIR so other tests see no pwsh.
 */
export const PWSH_FAKE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fakes-pwsh');
