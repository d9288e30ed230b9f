import fs from 'node:fs/promises';
import path from 'node:path';
import { parseJsonText } from '../config/parse.js';
import type { ProcessRunner } from '../process/types.js';
import { ExitCode, HeadlessError } from '../errors/headless-error.js';
import { DETECTION_PATTERNS, IGNORED_FOLDERS, type RepoFacts } from './detect.js';

/** Lists what detection looks at: the files matching DETECTION_PATTERNS, package.json's scripts, local tools. */
export async function gatherRepoFacts(repo: string): Promise<RepoFacts> {
  // Loaded here: the worker imports this module for its quality gate, and fast-glob (with picomatch,
  // ~170 KB) would otherwise be evaluated at every boot, before any task has asked for a gate.
  const { default: fg } = await import('fast-glob');
  const files = await fg(DETECTION_PATTERNS, {
    cwd: repo,
    ignore: IGNORED_FOLDERS.map((f) => `**/${f}/**`),
    onlyFiles: true,
    dot: false,
    deep: 12,
    suppressErrors: true,
    followSymbolicLinks: false,
  });
  const facts: RepoFacts = { files: files.sort() };
  if (files.includes('package.json')) {
    const text = await fs.readFile(path.join(repo, 'package.json'), 'utf8');
    const json = parseJsonText(path.join(repo, 'package.json'), text) as { scripts?: unknown };
    const scripts = json.scripts;
    if (scripts && typeof scripts === 'object' && !Array.isArray(scripts)) {
      facts.packageScripts = Object.fromEntries(
        Object.entries(scripts).filter((e): e is [string, string] => typeof e[1] === 'string'),
      );
    }
  }
  const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
  const eslint = path.join(repo, 'node_modules', 'eslint', 'bin', 'eslint.js');
  if (await isFile(tsc)) facts.localTsc = tsc;
  if (await isFile(eslint)) facts.localEslint = eslint;
  return facts;
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isFile();
  } catch {
    return false;
  }
}

/** The files staged for the next commit (added, copied, modified, renamed), relative to the repository. */
export async function stagedFiles(
  repo: string,
  runner: ProcessRunner,
  env: Readonly<Record<string, string>>,
): Promise<string[]> {
  const r = await runner.run({
    executable: 'git',
    args: ['diff', '--cached', '--name-only', '--diff-filter=ACMR', '-z'],
    cwd: repo,
    env,
    timeoutMs: 60_000,
    killGraceMs: 2000,
  });
  if (r.exitCode !== 0) {
    const why = r.error ?? (r.stderr.trim() || `exit code ${r.exitCode ?? '-'}`);
    throw new HeadlessError(
      `--staged: git could not list the staged files in ${repo}: ${why}`,
      ExitCode.usage,
    );
  }
  return r.stdout.split('\0').filter((f) => f !== '');
}
