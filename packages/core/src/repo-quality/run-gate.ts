import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../config/config-error.js';
import { ExitCode, HeadlessError } from '../errors/headless-error.js';
import { createProcessRunner } from '../process/run.js';
import type { ProcessRunner, RunResult } from '../process/types.js';
import { findExecutableOnHost } from '../tool/find-executable.js';
import { parseRepoQualityConfig, REPO_QUALITY_FILE, type RepoQualityConfig } from './config.js';
import { stepFailures } from './parse-output.js';
import { planSteps, selectSteps } from './plan.js';
import { gatherRepoFacts, stagedFiles } from './repo-facts.js';
import type { GateResult, PlannedStep, StepResult } from './types.js';

/**
 * Runs a repository's quality gate: plan (config or detection), then each step through the
 * process runner (no shell, hidden window, whole tree ended on timeout), its output to
 * `<logsDir>/quality/<repo-name>/<step>.log`, what failed read from the output in the tool's terms.
 * A verify loop calls this with the task's worktree and turns a failed result into a prompt with
 * report.ts `continuationPrompt`.
 */

export interface GateOptions {
  /** The headless root's logs folder; step logs go below `quality/<repo-name>/`. */
  logsDir: string;
  /** The step logs' folder instead (a verify round's: `logs/verify/<task>/round-<n>`). */
  logDir?: string;
  only?: readonly string[];
  skip?: readonly string[];
  /** Pre-commit mode: the fast steps on the staged files only. */
  staged?: boolean;
  runner?: ProcessRunner;
  /** The environment the steps start from (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** The node that runs the repository's own tsc/eslint (default: this one). */
  node?: string;
  /** A line per step as it starts and ends (the CLI prints them). */
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

const TAIL_LINES = 20;
/** Findings kept per step (the log has them all): the JSON stays small enough for any reader. */
const MAX_FAILURES = 200;
const MAX_KEPT_LINES = 100_000;

export async function runQualityGate(repoArg: string, opts: GateOptions): Promise<GateResult> {
  const repo = path.resolve(repoArg);
  if (!(await isDirectory(repo))) {
    throw new HeadlessError(`--repo ${repoArg}: no such folder`, ExitCode.usage);
  }
  const runner = opts.runner ?? createProcessRunner();
  const env = baseEnv(opts.env ?? process.env);
  const config = await loadRepoConfig(repo);
  const logDir = opts.logDir ?? path.join(opts.logsDir, 'quality', repoLogName(repo));
  const facts = await gatherRepoFacts(repo);
  const staged = opts.staged ? await stagedFiles(repo, runner, env) : undefined;
  const planned = planSteps(facts, {
    repo,
    resultDir: logDir,
    node: opts.node ?? process.execPath,
    ...(config ? { config } : {}),
    ...(staged ? { staged } : {}),
  });
  const steps = selectSteps(planned, {
    ...(opts.only ? { only: opts.only } : {}),
    ...(opts.skip ? { skip: opts.skip } : {}),
  });
  await fsp.mkdir(logDir, { recursive: true });
  const results: StepResult[] = [];
  for (const step of steps) {
    if (opts.signal?.aborted) break;
    results.push(await runStep(step, logDir, runner, env, opts));
  }
  const result: GateResult = {
    repo,
    passed: results.every((r) => r.status !== 'failed'),
    steps: results.map(ordered),
  };
  await fsp.writeFile(path.join(logDir, 'summary.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

/** .headless/quality.json of the repository, or undefined when it has none. */
export async function loadRepoConfig(repo: string): Promise<RepoQualityConfig | undefined> {
  const file = path.join(repo, REPO_QUALITY_FILE);
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError({ file, jsonPath: '$', found: 'an unreadable file', expected: 'a readable file' });
  }
  return parseRepoQualityConfig(text, file);
}

/** A folder name for the repository's logs: its base name, safe on every file system. */
export function repoLogName(repo: string): string {
  return path.basename(path.resolve(repo)).replace(/[^A-Za-z0-9._-]/g, '_') || 'repo';
}

function baseEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && k !== 'FORCE_COLOR') out[k] = v;
  // Plain text: the logs are read by people and by the parsers.
  out['NO_COLOR'] = '1';
  out['PY_COLORS'] = '0';
  return out;
}

async function runStep(
  step: PlannedStep,
  logDir: string,
  runner: ProcessRunner,
  baseEnvironment: Record<string, string>,
  opts: GateOptions,
): Promise<StepResult> {
  const env = { ...baseEnvironment, ...step.env };
  const program = step.argv[0] ?? '';
  const progress = opts.onProgress ?? (() => {});
  if (findExecutableOnHost(program, env, step.cwd) === null) {
    return missing(step, `${path.basename(program)} not found`);
  }
  progress(`quality: ${step.name} ...`);
  const log = path.join(logDir, `${step.name}.log`);
  if (step.resultFile) await fsp.rm(step.resultFile, { force: true });
  const out = fs.createWriteStream(log);
  out.write(`$ ${step.argv.join(' ')}\n(in ${step.cwd})\n`);
  const kept: string[] = [];
  let dropped = 0;
  const result = await runner.run({
    executable: program,
    args: step.argv.slice(1),
    cwd: step.cwd,
    env,
    timeoutMs: step.timeoutSec * 1000,
    idleTimeoutMs: step.timeoutSec * 1000,
    killGraceMs: 5000,
    ...(opts.signal ? { signal: opts.signal } : {}),
    maxCaptureBytes: 64 * 1024,
    onLine: (_stream, line) => {
      out.write(`${line}\n`);
      if (kept.length < MAX_KEPT_LINES) kept.push(line);
      else dropped++;
    },
  });
  out.write(`\nexit code: ${result.exitCode ?? result.signal ?? result.endReason}\n`);
  await new Promise<void>((resolve) => out.end(resolve));
  const output = kept.join('\n') + (dropped > 0 ? `\n… ${dropped} more lines in the log` : '');
  return judge(step, result, output, log);
}

/** The documented key order: name, status, durationMs, exitCode, failures, log, then note and tail. */
function ordered(r: StepResult): StepResult {
  const { name, status, durationMs, exitCode, failures, log, note, tail } = r;
  return {
    name,
    status,
    durationMs,
    exitCode,
    failures,
    log,
    ...(note !== undefined ? { note } : {}),
    ...(tail !== undefined ? { tail } : {}),
  };
}

function missing(step: PlannedStep, what: string): StepResult {
  const hint = step.installHint ? ` (${step.installHint})` : '';
  const base = { name: step.name, durationMs: 0, exitCode: null, failures: [], log: null };
  if (step.optional) return { ...base, status: 'skipped', note: `${what}${hint}` };
  return { ...base, status: 'failed', note: `${what} on PATH${hint}`, failures: [`${what} on PATH`] };
}

async function judge(step: PlannedStep, r: RunResult, output: string, log: string): Promise<StepResult> {
  const base = { name: step.name, durationMs: r.durationMs, exitCode: r.exitCode, log };
  if (r.endReason === 'not-found') return missing(step, `${path.basename(step.argv[0] ?? '')} not found`);
  if (r.endReason === 'exited' && r.exitCode !== null) {
    if (r.exitCode === 0) return { ...base, status: 'passed', failures: [] };
    const pass = step.passCodes?.[r.exitCode];
    if (pass !== undefined) return { ...base, status: 'passed', failures: [], note: pass };
    if (step.missingCode?.code === r.exitCode) {
      const m = missing(step, `${step.missingCode.what} not installed`);
      return { ...m, durationMs: r.durationMs, exitCode: r.exitCode, log };
    }
  }
  const resultText = step.resultFile ? await readIfPresent(step.resultFile) : undefined;
  const all = stepFailures(step.parser, output, resultText);
  const failures =
    all.length > MAX_FAILURES
      ? [...all.slice(0, MAX_FAILURES), `… and ${all.length - MAX_FAILURES} more (see the log)`]
      : all;
  const note =
    r.endReason === 'timeout' || r.endReason === 'idle'
      ? `timed out after ${step.timeoutSec} s`
      : r.endReason === 'aborted'
        ? 'stopped'
        : r.endReason === 'spawn-error'
          ? (r.error ?? 'could not start')
          : r.exitCode === null
            ? `killed by ${r.signal ?? 'a signal'}`
            : undefined;
  const failed: StepResult = { ...base, status: 'failed', failures, ...(note ? { note } : {}) };
  if (failures.length === 0) {
    failed.tail = output
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-TAIL_LINES);
  }
  return failed;
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await fsp.stat(p)).isDirectory();
  } catch {
    return false;
  }
}
