import fs from 'node:fs/promises';
import path from 'node:path';
import type { ToolsConfig, PoliciesConfig, ToolSpec } from '@headless/core/config/schema';
import type { ProcessRunner, RunResult } from '@headless/core/process/types';
import type { TaskRecord } from '@headless/core/task/record';
import { buildChildEnv } from '@headless/core/process/env';
import { makeRedactor } from '@headless/core/process/redact';
import { TASK_MARK_ENV, taskMark } from '@headless/core/process/task-marker';
import { CommandBuildError } from '@headless/core/tool/command';
import { resolveAllowedRoots } from '@headless/core/task/validate';
import { recheckAtRunTime } from '@headless/core/task/run-time-checks';
import { classifyAttempt, type Classification } from '@headless/core/tool/classify';
import { promptMatcher } from '@headless/core/tool/input-prompts';
import { openTaskLog, taskLogFile } from '@headless/core/log/task-log';
import type { SessionPlan } from '@headless/core/tool/resume';
import { attemptCommand, streamWatch } from './attempt-command.js';

export { taskLogFile };
import type { Clock } from '@headless/core/clock';
import { killGraceMs } from '@headless/core/policy/kill-grace';

export interface AttemptDeps {
  /** The root, named in the marker every tool process carries (see core/process/task-marker.ts). */
  root: string;
  tools: ToolsConfig;
  policies: PoliciesConfig;
  runner: ProcessRunner;
  clock: Clock;
  logsDir: string;
  scratchRoot: string;
  parentEnv: NodeJS.ProcessEnv;
}

export interface AttemptRun {
  classification: Classification;
  result?: RunResult;
  /** Secrets of this attempt, for redacting anything else written about it. */
  redact: (s: string) => string;
  durationMs: number;
  /** The session the attempt ran in (chosen before it, continued, or named by the tool). */
  sessionId?: string;
  /** The session this attempt continued (`--resume` / `exec resume`). */
  resumed?: string;
}

export interface AttemptHooks {
  signal: AbortSignal;
  onSpawn: (pid: number) => void;
  /** What to do with sessions (core/tool/resume.ts); none: a fresh run. */
  session?: SessionPlan;
  /** Why the last attempt was cut short, for the continuation prompt of a resumed one. */
  resumeWhy?: string;
  /** US dollars this attempt may spend (what the caps leave); Infinity/undefined: no cap. */
  capUsd?: number;
  /** The tool named its session while running (codex `thread.started`): persist it at once. */
  onSession?: (id: string) => void;
  /** The last verify round's prompt, when this attempt is the next round (policy/verify.ts). */
  verifyPrompt?: string;
}

/** Runs one attempt of a task: command line from config, filtered env, streamed log, classification. */
export async function runAttempt(
  rec: TaskRecord,
  repo: string,
  deps: AttemptDeps,
  hooks: AttemptHooks,
): Promise<AttemptRun> {
  const { spec } = rec;
  const tool = deps.tools.tools[spec.tool] as ToolSpec;
  const { env, secrets } = attemptEnv(rec, deps, tool);
  const redact = makeRedactor(secrets);
  const started = deps.clock.now();
  const log = await openTaskLog(taskLogFile(deps.logsDir, spec.id), {
    maxBytes: deps.policies.worker.taskLogMaxBytes,
    clock: deps.clock,
    redact,
  });
  const scratchDir = path.join(deps.scratchRoot, spec.id);
  // Only files written here need removing (a crashed attempt's are recovery's, recover.ts).
  let wroteScratch = false;
  try {
    let built;
    const plan = hooks.session ?? { mode: 'none' };
    try {
      built = attemptCommand(spec, spec.tool, tool, repo, {
        scratchDir,
        root: deps.root,
        plan,
        ...(hooks.resumeWhy !== undefined ? { resumeWhy: hooks.resumeWhy } : {}),
        ...(hooks.capUsd !== undefined ? { capUsd: hooks.capUsd } : {}),
        ...(hooks.verifyPrompt !== undefined ? { verifyPrompt: hooks.verifyPrompt } : {}),
      });
    } catch (err) {
      if (!(err instanceof CommandBuildError)) throw err;
      log.line('meta', `attempt ${rec.attempts}: ${err.message}`);
      return { classification: refusal(err.message), redact, durationMs: 0 };
    }
    const checked = refusedAtRunTime(rec, deps, built.executable, env);
    if ('reason' in checked) {
      log.line('meta', `attempt ${rec.attempts}: ${checked.logged}`);
      return { classification: refusal(checked.reason), redact, durationMs: 0 };
    }
    wroteScratch = built.files.length > 0;
    for (const f of built.files) {
      await fs.mkdir(path.dirname(f.path), { recursive: true });
      await fs.writeFile(f.path, f.content, { mode: 0o600 });
    }
    const shown = built.args.map((a) => (a.length > 120 ? `${a.slice(0, 117)}...` : a));
    log.line(
      'meta',
      `attempt ${rec.attempts} of ${spec.id}: ${built.executable} ${JSON.stringify(shown)} in ${repo} (prompt via ${built.promptVia})`,
    );
    const timeoutSec = spec.timeout_sec ?? tool.timeoutSec ?? deps.policies.worker.defaultTimeoutSec;
    const idleSec =
      spec.idle_timeout_sec ?? tool.idleTimeoutSec ?? deps.policies.worker.defaultIdleTimeoutSec;
    // A tool that asks a question (or waits for a browser login) would hold its slot until the idle
    // timeout: the runner ends it at the first prompt, also one without a newline (input-prompts.ts).
    const isPrompt = promptMatcher(tool);
    const watch = streamWatch(tool, plan, hooks.capUsd, hooks.onSession);
    const result = await deps.runner.run({
      executable: built.executable,
      // A bare name only: a path like ./bin/tool is resolved against the run's own folder (a worktree).
      ...(checked.found !== undefined && !/[\\/]/.test(built.executable)
        ? { resolvedExecutable: checked.found }
        : {}),
      args: built.args,
      cwd: repo,
      env,
      ...(built.input !== undefined ? { input: built.input } : {}),
      timeoutMs: timeoutSec * 1000,
      idleTimeoutMs: idleSec * 1000,
      timeoutCountsSleep: deps.policies.worker.timeoutCountsSleep,
      killGraceMs: killGraceMs(deps.policies),
      signal: hooks.signal,
      ...(isPrompt ? { isPrompt } : {}),
      redact: secrets,
      onSpawn: hooks.onSpawn,
      onLine: (stream, line) => {
        log.line(stream, line);
        watch.onLine(stream, line);
      },
      ...(watch.overBudget ? { overBudget: watch.overBudget } : {}),
    });
    const classification = classifyAttempt(spec.tool, tool, result, new Date(deps.clock.now()));
    log.line(
      'meta',
      `attempt ${rec.attempts} ended: ${result.endReason}, exit ${result.exitCode ?? '-'}${result.signal ? ` (${result.signal})` : ''}, ${classification.outcome}: ${redact(classification.reason)}${result.survivors.length ? `; survivors ${result.survivors.join(',')}` : ''}`,
    );
    const sessionId = watch.sessionId() ?? classification.sessionId;
    return {
      classification,
      result,
      redact,
      durationMs: deps.clock.now() - started,
      ...(sessionId ? { sessionId } : {}),
      ...(plan.mode === 'resume' ? { resumed: plan.sessionId } : {}),
    };
  } finally {
    await log.close();
    if (wroteScratch) await fs.rm(scratchDir, { recursive: true, force: true });
  }
}

/**
 * What intake checked can have changed since (a re-pointed repo symlink, files leading out). A
 * missing executable is left to the runner, which classifies it as not-found (no breaker count);
 * a found one is handed to the runner (`found`), which then does not search PATH again.
 */
function refusedAtRunTime(
  rec: TaskRecord,
  deps: AttemptDeps,
  executable: string,
  env: NodeJS.ProcessEnv,
): { reason: string; logged: string } | { found?: string } {
  const check = recheckAtRunTime(rec.spec, {
    root: deps.root,
    allowedRoots: resolveAllowedRoots(deps.root, deps.policies.worker.allowedRepoRoots),
    executable,
    env,
  });
  if (check.ok) return { found: check.executablePath };
  if (check.rule === 'executable') return {};
  return { reason: check.reason, logged: `refused at run time (${check.rule}): ${check.reason}` };
}

function refusal(reason: string): Classification {
  return { outcome: 'permanent', retryable: false, reason };
}

/** The tool's filtered environment, with the marker every grandchild inherits. */
function attemptEnv(
  rec: TaskRecord,
  deps: AttemptDeps,
  tool: ToolSpec,
): { env: Record<string, string>; secrets: string[] } {
  const { env, secrets } = buildChildEnv(deps.parentEnv, {
    pass: deps.tools.envPass,
    extraPass: tool.envPass,
    set: tool.env,
    taskEnv: rec.spec.env,
    secretNames: deps.tools.secretEnv,
  });
  // Inherited by every grandchild: if this worker dies before the tool's pid is on record, a sweep
  // still finds the tool by this marker and ends it.
  env[TASK_MARK_ENV] = taskMark(deps.root, process.pid, `${rec.spec.id}#${rec.attempts}`);
  return { env, secrets };
}
