/**
 * Helpers for this package's own tests. core cannot import @headless/test-support (that package
 * depends on core, and tsc -b would build them in a cycle), so the few needed live here.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RunRequest } from './types.js';

export async function tempDir(
  prefix = 'headless-core-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), prefix)));
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** Polls `check` until it returns something other than undefined/false, or throws after `timeoutMs`. */
/**
 * Waits for a condition with a deadline (never a bare sleep): polls `check` until it returns a
 * value other than undefined/false, or throws naming `what` once `timeoutMs` has passed.
 * @headless/test-support re-exports this one.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10000,
  everyMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** An environment with just enough PATH to find the node running the tests. */
export function nodeEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: path.dirname(process.execPath), ...extra };
}

/** A run of a tool that prints its parent's pid: this process (in-process) or the spawner that started it. */
export function parentProbe(cwd: string): RunRequest {
  return {
    executable: 'node',
    args: ['-e', 'console.log(String(process.ppid))'],
    cwd,
    env: nodeEnv(),
    timeoutMs: 60000,
    killGraceMs: 300,
  };
}
