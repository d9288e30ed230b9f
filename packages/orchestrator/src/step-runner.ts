import { breakerVerdict } from '@headless/core/policy/breaker-verdict';
import { killGraceMs } from '@headless/core/policy/kill-grace';
import { TASK_MARK_ENV, taskMark } from '@headless/core/process/task-marker';
import type { Classification } from '@headless/core/tool/classify';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '@headless/core/clock';
import type { LoopStep, PoliciesConfig, ToolSpec, ToolsConfig } from '@headless/core/config/schema';
import { decideRetry } from '@headless/core/policy/retry';
import type { ToolBreakers } from '@headless/core/policy/tool-breakers';
import { buildChildEnv } from '@headless/core/process/env';
import type { ProcessRunner, RunResult } from '@headless/core/process/types';
import { buildCommand, type BuiltCommand } from '@headless/core/tool/command';
import { promptMatcher } from '@headless/core/tool/input-prompts';
import { classifyAttempt } from '@headless/core/tool/classify';
import type { LineStream } from './log-sink.js';
import { sleep } from './sleep.js';

/** How one step of one run ended. `aborted`: the orchestrator is stopping. */
export type StepResult =
  | { status: 'ok'; attempts: number }
  | { status: 'failed'; attempts: number; outcome: string; reason: string }
  | { status: 'skipped'; attempts: number; reason: string }
  | { status: 'aborted'; attempts: number };

/** Where a step's output and its process events go. */
export interface StepSink {
  /** One line of the loop log (the caller adds the timestamp). */
  line(stream: LineStream, text: string): void;
  started(attempt: number, pid: number): void;
  finished(attempt: number, outcome: string): void;
}

export interface StepContext {
  /** `loop:<Loop>:<repo>:<run>`: the id the supervisor sees for this run's processes. */
  id: string;
  /** The root, named in the marker every step process carries (core/process/task-marker.ts). */
  root?: string;
  repoDir: string;
  tools: ToolsConfig;
  policies: PoliciesConfig;
  runner: ProcessRunner;
  breakers: ToolBreakers;
  clock: Clock;
  signal: AbortSignal;
  /** Folder for prompt files and the like; emptied after each attempt. */
  scratchDir: string;
  /** A retry that would wait longer than this is left to the next run instead. */
  maxRetryWaitMs: number;
  sink: StepSink;
  parentEnv?: NodeJS.ProcessEnv;
}

interface Attempt {
  result: RunResult;
  outcome: Classification['outcome'];
  retryable: boolean;
  reason: string;
  resetAt?: string;
}

export { killGraceMs } from '@headless/core/policy/kill-grace';

/** The wall-clock and idle limits of a step: its own, else its tool's, else the worker's defaults. */
export function stepTimeouts(
  step: LoopStep,
  tool: ToolSpec,
  policies: PoliciesConfig,
): { timeoutMs: number; idleTimeoutMs: number } {
  const timeoutSec = step.timeoutSec ?? tool.timeoutSec ?? policies.worker.defaultTimeoutSec;
  const idleSec = tool.idleTimeoutSec ?? policies.worker.defaultIdleTimeoutSec;
  return { timeoutMs: timeoutSec * 1000, idleTimeoutMs: Math.min(idleSec, timeoutSec) * 1000 };
}

/**
 * Runs one loop step in one repo with the worker's policies: the same runner, environment
 * allow-list, secret redaction, timeouts, classification, retries (within this run, bounded by
 * retry.maxAttempts) and per-tool breaker.
 */
export async function runStep(step: LoopStep, ctx: StepContext): Promise<StepResult> {
  const tool = ctx.tools.tools[step.tool];
  if (tool === undefined) {
    return {
      status: 'failed',
      attempts: 0,
      outcome: 'permanent',
      reason: `tool "${step.tool}" is not defined in config/tools.json (tools.${step.tool}); add it or change the step`,
    };
  }
  let command: BuiltCommand;
  try {
    command = buildCommand(
      step.tool,
      tool,
      {
        id: ctx.id,
        args: step.args,
        ...(step.prompt === undefined ? {} : { prompt: step.prompt }),
        files: [],
        flags: [],
        repo: ctx.repoDir,
      },
      { scratchDir: ctx.scratchDir },
    );
  } catch (err) {
    // The step and its tool do not fit (e.g. a prompt for a tool that takes none): no run will fix that.
    return {
      status: 'failed',
      attempts: 0,
      outcome: 'permanent',
      reason: err instanceof Error ? err.message : String(err),
    };
  }
  for (let attempt = 1; ; attempt++) {
    if (ctx.signal.aborted) return { status: 'aborted', attempts: attempt - 1 };
    const run = await ctx.breakers.execute(
      step.tool,
      () => runAttempt(step, tool, command, attempt, ctx),
      // The same verdict as the worker's: tool trouble counts, a wrong step does not.
      (a) => breakerVerdict(a),
    );
    if (!run.ran) {
      const until = run.openUntil ? ` until ${run.openUntil}` : '';
      return {
        status: 'skipped',
        attempts: attempt - 1,
        reason: `circuit breaker for tool "${step.tool}" is open${until}`,
      };
    }
    const a = run.value;
    if (a.outcome === 'success') return { status: 'ok', attempts: attempt };
    if (a.result.endReason === 'aborted' || ctx.signal.aborted)
      return { status: 'aborted', attempts: attempt };

    const decision = decideRetry({
      retryable: a.retryable,
      ...(a.resetAt ? { resetAt: a.resetAt } : {}),
      attempt,
      maxAttempts: ctx.policies.retry.maxAttempts,
      now: new Date(ctx.clock.now()),
      policy: ctx.policies.retry,
    });
    if (decision.action === 'fail') {
      return {
        status: 'failed',
        attempts: attempt,
        outcome: a.outcome,
        reason: `${a.reason} (${decision.why})`,
      };
    }
    if (decision.delayMs > ctx.maxRetryWaitMs) {
      return {
        status: 'failed',
        attempts: attempt,
        outcome: a.outcome,
        reason: `${a.reason} (retry in ${Math.round(decision.delayMs / 1000)} s is later than the next run)`,
      };
    }
    ctx.sink.line(
      'meta',
      `attempt ${attempt} failed (${a.outcome}: ${a.reason}); retrying in ${decision.delayMs} ms (${decision.why})`,
    );
    if (!(await sleep(decision.delayMs, ctx.signal))) return { status: 'aborted', attempts: attempt };
  }
}

async function runAttempt(
  step: LoopStep,
  tool: ToolSpec,
  command: BuiltCommand,
  attempt: number,
  ctx: StepContext,
): Promise<Attempt> {
  const { env, secrets } = buildChildEnv(ctx.parentEnv ?? process.env, {
    pass: ctx.tools.envPass,
    extraPass: tool.envPass,
    set: tool.env,
    secretNames: ctx.tools.secretEnv,
  });
  // Inherited by grandchildren: if the orchestrator dies before the step's pid is known, a sweep finds it.
  if (ctx.root !== undefined) env[TASK_MARK_ENV] = taskMark(ctx.root, process.pid, `${ctx.id}#${attempt}`);
  const { timeoutMs, idleTimeoutMs } = stepTimeouts(step, tool, ctx.policies);
  const isPrompt = promptMatcher(tool);
  ctx.sink.line(
    'meta',
    `$ ${[command.executable, ...command.args].join(' ')}${attempt > 1 ? `  (attempt ${attempt})` : ''}`,
  );
  try {
    for (const f of command.files) {
      await fs.mkdir(path.dirname(f.path), { recursive: true });
      await fs.writeFile(f.path, f.content, { mode: 0o600 });
    }
    const result = await ctx.runner.run({
      executable: command.executable,
      args: command.args,
      cwd: ctx.repoDir,
      env,
      ...(command.input === undefined ? {} : { input: command.input }),
      timeoutMs,
      idleTimeoutMs,
      killGraceMs: killGraceMs(ctx.policies),
      onLine: (stream, line) => ctx.sink.line(stream, line),
      onSpawn: (pid) => ctx.sink.started(attempt, pid),
      signal: ctx.signal,
      redact: secrets,
      maxCaptureBytes: 256 * 1024,
      // A step that asks a question ends at once (also a prompt without a newline), as in the worker.
      ...(isPrompt ? { isPrompt } : {}),
    });
    const verdict = classifyAttempt(
      step.tool,
      tool,
      {
        exitCode: result.exitCode,
        signal: result.signal,
        endReason: result.endReason,
        stdout: result.stdout,
        stderr: result.stderr,
        ...(result.error === undefined ? {} : { error: result.error }),
        ...(result.endDetail === undefined ? {} : { endDetail: result.endDetail }),
      },
      new Date(ctx.clock.now()),
    );
    const outcome = result.endReason === 'aborted' ? 'interrupted' : verdict.outcome;
    if (result.pid !== undefined) ctx.sink.finished(attempt, outcome);
    const tail = outcome === 'success' ? '' : `: ${verdict.reason}`;
    ctx.sink.line(
      'meta',
      `= ${outcome}${tail} (exit ${result.exitCode ?? result.signal ?? result.endReason}, ${result.durationMs} ms)`,
    );
    return {
      result,
      outcome,
      retryable: verdict.retryable,
      reason: verdict.reason,
      ...(verdict.resetAt ? { resetAt: verdict.resetAt } : {}),
    };
  } finally {
    await Promise.all(command.files.map((f) => fs.rm(f.path, { force: true })));
  }
}
