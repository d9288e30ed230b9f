import fs from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '@headless/core/clock';
import type { LoopSpec, LoopStep, PoliciesConfig, ToolsConfig } from '@headless/core/config/schema';
import type { ToolBreakers } from '@headless/core/policy/tool-breakers';
import type { ProcessRunner } from '@headless/core/process/types';
import type { LineLog, Log } from './log-sink.js';
import {
  combineOutcomes,
  initialLoopState,
  runFinished,
  runStarted,
  scheduled,
  type LoopState,
  type RepoOutcome,
} from './loop-state.js';
import { firstRunAt, nextRunAt, type ScheduleSpec } from './schedule.js';
import { sleep } from './sleep.js';
import { runStep, type StepResult } from './step-runner.js';

/** What the loop reports to its owner (the orchestrator forwards these to the supervisor). */
export interface LoopEvents {
  stepStarted(task: { id: string; attempt: number; tool: string; pid: number }): void;
  stepFinished(task: { id: string; attempt: number; tool: string; outcome: string }): void;
  repoResult(result: { loop: string; repo: string; ok: boolean; reason?: string; at: string }): void;
  state(loop: string, state: LoopState): void;
}

export interface LoopContext {
  root: string;
  tools: ToolsConfig;
  policies: PoliciesConfig;
  runner: ProcessRunner;
  breakers: ToolBreakers;
  clock: Clock;
  /** The orchestrator's stop: ends the waits and the running steps. */
  signal: AbortSignal;
  /** A config change retired this loop: it ends after the run it is in (no step is cut short). */
  retire?: AbortSignal;
  log: Log;
  /** The loop's own output file (logs/loops/<Loop>.log). */
  output: LineLog;
  events: LoopEvents;
  /** Folder for this loop's prompt files. */
  scratchDir: string;
  random?: () => number;
  parentEnv?: NodeJS.ProcessEnv;
}

export function scheduleOf(spec: LoopSpec): ScheduleSpec {
  return { intervalMs: spec.intervalSec * 1000, jitter: spec.jitter };
}

/** The command line of a step as the log shows it. */
function describeStep(step: LoopStep): string {
  return [step.tool, ...step.args].join(' ');
}

/**
 * One loop, until the signal aborts: wait for the planned time, run every repo's steps, record the
 * result, plan the next run from this one's start and end (so runs never overlap). A run that throws
 * is logged and counted as failed; the loop itself keeps going.
 */
export async function runLoop(name: string, spec: LoopSpec, ctx: LoopContext): Promise<void> {
  const random = ctx.random ?? Math.random;
  const sched = scheduleOf(spec);
  let state = initialLoopState(true, spec.intervalSec);
  const publish = (next: LoopState): void => {
    state = next;
    ctx.events.state(name, state);
  };
  let at = firstRunAt(sched, ctx.clock.now(), random());
  publish(scheduled(state, at));
  ctx.log.info(
    `loop ${name} started: every ${spec.intervalSec} s ±${Math.round(spec.jitter * 100)}% in ${spec.repos.join(', ')}`,
    {
      loop: name,
      nextRunAt: new Date(at).toISOString(),
    },
  );

  const waitSignal = ctx.retire ? AbortSignal.any([ctx.signal, ctx.retire]) : ctx.signal;
  for (let run = 1; ; run++) {
    if (!(await sleep(at - ctx.clock.now(), waitSignal))) break;
    const startedAt = ctx.clock.now();
    publish(runStarted(state));
    let outcomes: RepoOutcome[];
    try {
      outcomes = await runOnce(name, spec, run, ctx);
    } catch (err) {
      const reason = `run threw: ${err instanceof Error ? err.message : String(err)}`;
      ctx.log.error(`loop ${name} run ${run} ${reason}`, {
        loop: name,
        run,
        stack: err instanceof Error ? err.stack : undefined,
      });
      outcomes = [{ repo: '*', result: 'failed', reason }];
    }
    const finishedAt = ctx.clock.now();
    // An interrupted run is neither a success nor a failure of the loop.
    if (ctx.signal.aborted) break;
    const { result, reason } = combineOutcomes(outcomes);
    at = nextRunAt(sched, startedAt, finishedAt, random());
    publish(runFinished(state, { startedAt, finishedAt, result, reason, nextRunAt: at }));
    const meta = {
      loop: name,
      run,
      result,
      durationMs: finishedAt - startedAt,
      nextRunAt: new Date(at).toISOString(),
    };
    if (result === 'ok') ctx.log.info(`loop ${name} run ${run} ok`, meta);
    else ctx.log.warn(`loop ${name} run ${run} ${result}: ${reason ?? ''}`, { ...meta, reason });
    if (ctx.retire?.aborted) break;
  }
  // A stopped orchestrator plans nothing: status must not show a next run that will not come.
  publish({ ...state, running: false, nextRunAt: null });
  ctx.log.info(`loop ${name} stopped`, { loop: name });
}

/** One run: every repo in turn; a failing step ends that repo's run, not the others'. */
async function runOnce(name: string, spec: LoopSpec, run: number, ctx: LoopContext): Promise<RepoOutcome[]> {
  const outcomes: RepoOutcome[] = [];
  for (const repo of spec.repos) {
    if (ctx.signal.aborted) break;
    const outcome = await runRepo(name, spec, run, repo, ctx);
    if (outcome === undefined) break;
    outcomes.push(outcome);
    ctx.events.repoResult({
      loop: name,
      repo,
      ok: outcome.result === 'ok',
      ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
      at: new Date(ctx.clock.now()).toISOString(),
    });
  }
  return outcomes;
}

/** The repo's steps in order; undefined when the orchestrator stopped in the middle. */
async function runRepo(
  name: string,
  spec: LoopSpec,
  run: number,
  repo: string,
  ctx: LoopContext,
): Promise<RepoOutcome | undefined> {
  const out = ctx.output;
  out.line('meta', `--- run ${run} in ${repo}`);
  const repoDir = path.resolve(ctx.root, repo);
  const problem = await checkRepo(ctx.root, repo, repoDir, ctx.policies.worker.allowedRepoRoots);
  if (problem !== undefined) {
    out.line('meta', problem);
    ctx.log.error(`loop ${name}: ${problem}`, { loop: name, repo, run });
    return { repo, result: 'failed', reason: problem };
  }
  const id = `loop:${name}:${repo}:${run}`;
  for (const [index, step] of spec.steps.entries()) {
    const label = `step ${index + 1}/${spec.steps.length} (${describeStep(step)})`;
    const result: StepResult = await runStep(step, {
      id,
      repoDir,
      tools: ctx.tools,
      policies: ctx.policies,
      runner: ctx.runner,
      breakers: ctx.breakers,
      clock: ctx.clock,
      signal: ctx.signal,
      scratchDir: ctx.scratchDir,
      root: ctx.root,
      maxRetryWaitMs: spec.intervalSec * 1000,
      ...(ctx.parentEnv ? { parentEnv: ctx.parentEnv } : {}),
      sink: {
        line: (stream, text) => out.line(stream, text),
        started: (attempt, pid) => ctx.events.stepStarted({ id, attempt, tool: step.tool, pid }),
        finished: (attempt, outcome) => ctx.events.stepFinished({ id, attempt, tool: step.tool, outcome }),
      },
    });
    switch (result.status) {
      case 'ok':
        continue;
      case 'aborted':
        out.line('meta', `--- run ${run} in ${repo} interrupted: the orchestrator is stopping`);
        return undefined;
      case 'skipped':
        out.line('meta', `--- run ${run} in ${repo} skipped at ${label}: ${result.reason}`);
        ctx.log.warn(`loop ${name} skipped ${label} in ${repo}: ${result.reason}`, {
          loop: name,
          repo,
          run,
          tool: step.tool,
        });
        return { repo, result: 'skipped', reason: `${label}: ${result.reason}` };
      case 'failed':
        out.line('meta', `--- run ${run} in ${repo} failed at ${label}: ${result.reason}`);
        return { repo, result: 'failed', reason: `${label} ${result.outcome}: ${result.reason}` };
    }
  }
  out.line('meta', `--- run ${run} in ${repo} ok`);
  return { repo, result: 'ok' };
}

/** Why a loop cannot visit this repo, in words that say what to fix; undefined when it can. */
export async function checkRepo(
  root: string,
  repo: string,
  repoDir: string,
  allowedRoots: readonly string[],
): Promise<string | undefined> {
  const inside = allowedRoots.some((r) => {
    const rel = path.relative(path.resolve(root, r), repoDir);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  });
  if (!inside) {
    return `repo "${repo}" (${repoDir}) is outside policies.worker.allowedRepoRoots (${allowedRoots.join(', ')}); move it or allow its folder`;
  }
  try {
    const st = await fs.stat(repoDir);
    if (!st.isDirectory())
      return `repo "${repo}" (${repoDir}) is not a folder; fix the loop's repos in config/tools.json`;
  } catch {
    return `repo "${repo}" not found at ${repoDir}; create it or fix the loop's repos in config/tools.json`;
  }
  return undefined;
}
