import path from 'node:path';
import { HeadlessError } from '@headless/core/errors/headless-error';
import { decideVerify, roundsSoFar, verifyWanted, type VerifyVerdict } from '@headless/core/policy/verify';
import type { AttemptEnd } from '@headless/core/queue/transitions';
import { runQualityGate } from '@headless/core/repo-quality/run-gate';
import { TASK_MARK_ENV, taskMark } from '@headless/core/process/task-marker';
import type { GateResult } from '@headless/core/repo-quality/types';
import type { TaskRecord } from '@headless/core/task/record';
import type { VerifyRound } from '@headless/core/task/result';
import type { Running, WorkerContext } from './context.js';

/** Where a verify round's step logs go: one folder per task and round, so every round's logs stay. */
export function verifyLogDir(logsDir: string, id: string, round: number): string {
  return path.join(logsDir, 'verify', id, `round-${round}`);
}

/**
 * The gate's environment in a task's worktree: the worker's own with the attempt's marker, without the caches Python tools
 * leave in the working folder (`__pycache__`, `.pytest_cache`, `.ruff_cache`), which the next
 * round's commit would otherwise pick up.
 */
export function verifyEnv(parent: NodeJS.ProcessEnv, mark: string): NodeJS.ProcessEnv {
  const addopts = parent['PYTEST_ADDOPTS'];
  return {
    ...parent,
    // Like the agent's own tree: a gate step left behind by a dying worker is found and ended by it.
    [TASK_MARK_ENV]: mark,
    PYTHONDONTWRITEBYTECODE: '1',
    RUFF_NO_CACHE: 'true',
    PYTEST_ADDOPTS: `${addopts ? `${addopts} ` : ''}-p no:cacheprovider`,
  };
}

/**
 * Runs the repo's gate (or the steps named) in the folder the agent worked in, after a successful
 * attempt, and decides the round. A gate that cannot run (a bad `.headless/quality.json`, a step
 * name the repo does not have) is a verdict too: the task is held with that reason.
 */
export async function verifyRound(
  ctx: Pick<WorkerContext, 'paths' | 'runner' | 'parentEnv' | 'policies'>,
  rec: TaskRecord,
  cwd: string,
  wanted: true | string[],
  signal: AbortSignal,
): Promise<VerifyVerdict> {
  const attempt = rec.attempts;
  const previous = roundsSoFar(rec.result?.verify, attempt);
  let gate: GateResult | { error: string };
  try {
    gate = await runQualityGate(cwd, {
      logsDir: ctx.paths.logsDir,
      logDir: verifyLogDir(ctx.paths.logsDir, rec.id, previous.length + 1),
      ...(wanted === true ? {} : { only: wanted }),
      runner: ctx.runner,
      env: verifyEnv(ctx.parentEnv, taskMark(ctx.paths.root, process.pid, `${rec.id}#${attempt}`)),
      signal,
    });
  } catch (err) {
    if (!(err instanceof HeadlessError)) throw err;
    gate = { error: err.message };
  }
  return decideVerify({ gate, attempt, previous, policy: ctx.policies.verify });
}

/** Where a verified attempt's task goes, and the round to keep; `end` undefined: as without verify (done). */
export interface VerifyEnd {
  end?: AttemptEnd;
  round?: VerifyRound;
}

/**
 * After a successful attempt of a task with `verify`: the gate, then the verdict as an attempt end.
 * A stop or cancel during the gate wins over its result (the gate was cut short).
 */
export async function verifyAfterSuccess(
  ctx: Pick<WorkerContext, 'paths' | 'runner' | 'parentEnv' | 'policies' | 'tools' | 'clock' | 'log'>,
  r: Running,
  cwd: string,
): Promise<VerifyEnd | undefined> {
  const wanted = verifyWanted(r.rec.spec, ctx.tools.tools[r.tool]);
  if (wanted === undefined || r.abortReason) return undefined;
  ctx.log.info(`task ${r.id} attempt ${r.attempt}: running the quality gate in ${cwd}`, { taskId: r.id });
  const v = await verifyRound(ctx, r.rec, cwd, wanted, r.abort.signal);
  const now = new Date(ctx.clock.now());
  if (r.abortReason === 'cancel') return { end: { to: 'cancelled', reason: 'cancelled by the user' } };
  if (r.abortReason === 'stop') {
    const reason = 'interrupted by stop during the quality gate; runs again';
    return { end: { to: 'requeued', reason, notBefore: now, uncount: true } };
  }
  ctx.log.info(
    `task ${r.id} verify round ${v.round.round}: ${v.round.passed ? 'passed' : `failed (${v.round.failed.join(', ') || v.round.error})`}`,
    { taskId: r.id },
  );
  switch (v.next) {
    case 'done':
      return { round: v.round };
    case 'again':
      return {
        round: v.round,
        end: { to: 'retry', notBefore: now, reason: v.reason, ledgerReason: v.reason },
      };
    case 'attention':
      return { round: v.round, end: { to: 'attention', reason: v.reason, outcome: 'verify_failed' } };
  }
}

/** Failure retries do not count the verify rounds: a round is the gate asking for more, not a failure. */
export function countedAttempt(rec: TaskRecord, attempt: number): number {
  return attempt - roundsSoFar(rec.result?.verify, attempt).length;
}
