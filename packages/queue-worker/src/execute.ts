import path from 'node:path';
import { processStartTime } from '@headless/core/process/alive';
import { endEscapedProcesses } from '@headless/core/process/escaped';
import { killGraceMs } from '@headless/core/policy/kill-grace';
import { breakerVerdict } from '@headless/core/policy/breaker-verdict';
import { decideRetry } from '@headless/core/policy/retry';
import { decidePark } from '@headless/core/policy/park';
import { untilStored } from '@headless/core/queue/store-retry';
import { MissingTaskError } from '@headless/core/queue/store';
import type { AttemptEnd } from '@headless/core/queue/transitions';
import { parseIndexLockError, repairStaleIndexLock } from '@headless/core/git/index-lock';
import type { AttemptSummary, TaskRecord } from '@headless/core/task/record';
import { runAttempt, type AttemptRun } from './attempt.js';
import { decideAttemptEnd, type LockFinding } from './attempt-outcome.js';
import { count, type Running, type WorkerContext } from './context.js';
import { taskLogFile } from '@headless/core/log/task-log';
import type { TaskResult } from '@headless/core/task/result';
import { prepareWorkspace, settleWorkspace, writeTarget, type Workspace } from './workspace.js';
import { nextTaskResult } from './task-result.js';
import { attemptLine, worktreeLine } from './attempt-line.js';
import { announceEnd } from './task-ends.js';
import { sessionPatch, sessionPlanFor } from './session-plan.js';
import { spendFile } from '@headless/core/run-state/spend-file';
import { resumeKindOf } from '@headless/core/tool/resume';
import { pendingVerifyPrompt } from '@headless/core/policy/verify';
import { countedAttempt, verifyAfterSuccess } from './verify-gate.js';

/** How long claiming pauses after a run could not be carried through (a failing log device). */
const FAULT_PAUSE_MS = 5000;

/**
 * How long a tool runs before its pid goes into its processing record (for recovery after a worker
 * crash). A shorter run never writes it (a record write per task saved); a worker dying in that
 * window leaves the tool to the others that know it at once: the spawner ends its groups when its
 * worker is gone, the supervisor ends the groups reported by `task-started` (sent at the spawn), the
 * marker sweep finds it by HEADLESS_TASK_MARK (Linux), the Job Object ends it (Windows).
 */
export const PID_RECORD_DELAY_MS = 250;

/** Starts a task's attempt in the background; `r.done` settles when its end is stored. */
export function launch(ctx: WorkerContext, rec: TaskRecord): Running {
  const tool = rec.spec.tool;
  const writes = ctx.tools.tools[tool]?.writesRepo ?? true;
  const r: Running = {
    id: rec.id,
    tool,
    ...(writes ? { writesRepo: writeTarget(ctx, rec) } : {}),
    rec,
    abort: new AbortController(),
    attempt: rec.attempts + 1,
    startedAt: new Date(ctx.clock.now()).toISOString(),
    done: Promise.resolve(),
  };
  ctx.running.set(rec.id, r);
  r.done = execute(ctx, r)
    .catch((err: unknown) => onRunFault(ctx, r, err))
    .finally(() => {
      ctx.running.delete(rec.id);
      // A freed slot woke the loop already (finish): a pass per task, not two, unless the end asks for one.
      if (!r.slotFree || ctx.passAfterEnd(r.ended)) ctx.waker.wake();
    });
  return r;
}

/**
 * The run could not be carried through (a full or read-only log device, a disk error before the
 * tool ran): the task must not stay in processing under a live worker. It goes back to the queue
 * with its attempts, and claiming pauses so the next tasks are not stranded the same way.
 */
async function onRunFault(ctx: WorkerContext, r: Running, err: unknown): Promise<void> {
  const why = err instanceof Error ? err.message : String(err);
  ctx.log.error(`task ${r.id}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, {
    taskId: r.id,
  });
  ctx.pause.until = ctx.clock.now() + FAULT_PAUSE_MS;
  ctx.pause.reason = `a run could not be carried through: ${why}`;
  try {
    await untilStored(
      () => ctx.transitions.requeueFault(r.id, `could not run: ${why}`, new Date(ctx.pause.until)),
      {
        signal: ctx.stopping.signal,
      },
    );
    r.ended = 'queued';
  } catch (again) {
    if (!(again instanceof MissingTaskError)) {
      ctx.log.error(
        `task ${r.id} stays in processing (recovery puts it back at the next start): ${String(again)}`,
      );
    }
  }
}

async function execute(ctx: WorkerContext, r: Running): Promise<void> {
  const toolSpec = ctx.tools.tools[r.tool];
  // The session is decided, and a chosen id recorded, before the tool starts: a killed attempt,
  // which prints nothing, can still be resumed.
  const session = toolSpec ? sessionPlanFor(r.rec, toolSpec) : ({ mode: 'none' } as const);
  const sessionTool = toolSpec !== undefined && resumeKindOf(toolSpec.output) !== undefined;
  const lastRan = r.rec.history[r.rec.history.length - 1];
  const verifyPrompt = pendingVerifyPrompt(r.rec.result?.verify, r.rec.history);
  const claimed = await ctx.transitions.claim(
    r.id,
    { workerPid: process.pid, ...(ctx.workerStart ? { workerStart: ctx.workerStart } : {}) },
    (rec) => ({
      repo: path.resolve(ctx.paths.root, rec.spec.repo),
      ...(session.mode === 'resume' ? { resumes: session.sessionId } : {}),
      ...(session.mode === 'new' ? { sessionId: session.sessionId } : {}),
    }),
    () => sessionPatch(session, sessionTool),
    // The queue index's record, as the worker's own transitions stored it: not read back.
    r.rec,
  );
  if (!claimed) return;
  r.rec = claimed;
  r.attempt = claimed.attempts;
  ctx.summary.started++;
  const { spec } = claimed;
  const repo = path.resolve(ctx.paths.root, spec.repo);
  const prepared = await prepareWorkspace(ctx, claimed, repo);
  if (!prepared.ok) {
    // Never the main checkout instead: the task fails with git's reason, and no tool ran.
    const classification = { outcome: 'permanent', retryable: false, reason: prepared.reason } as const;
    await finish(ctx, r, { classification, redact: (s) => s, durationMs: 0 }, repo, { cwd: repo });
    return;
  }
  const ws = prepared.ws;
  const toolPid = toolPidKeeper(ctx, r);
  let sessionWrite: Promise<unknown> = Promise.resolve();
  const ran = await ctx.registry.breakers.execute(
    spec.tool,
    () =>
      runAttempt(
        claimed,
        ws.cwd,
        {
          root: ctx.paths.root,
          tools: ctx.tools,
          policies: ctx.policies,
          runner: ctx.runner,
          clock: ctx.clock,
          logsDir: ctx.paths.logsDir,
          scratchRoot: ctx.paths.scratchDir,
          parentEnv: ctx.parentEnv,
        },
        {
          signal: r.abort.signal,
          session,
          resumeWhy: lastRan?.reason ?? lastRan?.outcome ?? 'the run was interrupted',
          capUsd: ctx.spend.leftFor(spec.tool, r.id, spec.max_cost_usd, new Date(ctx.clock.now())),
          ...(verifyPrompt !== undefined ? { verifyPrompt } : {}),
          onSession: (id) => {
            sessionWrite = ctx.transitions
              .recordSession(r.id, id)
              .catch((err: unknown) =>
                ctx.log.error(`could not record the session of ${r.id}: ${String(err)}`),
              );
          },
          onSpawn: toolPid.onSpawn,
        },
      ),
    (a) => (r.abortReason ? null : breakerVerdict(a.classification)),
  );
  await toolPid.settled();
  await sessionWrite;
  if (!ran.ran) {
    const v = ctx.registry.breakers.view(spec.tool);
    const reason = `${spec.tool} breaker open${ran.openUntil ? ` until ${ran.openUntil}` : ''}: ${v.lastReason ?? 'repeated failures'}`;
    const summary: AttemptSummary = {
      attempt: r.attempt,
      startedAt: r.startedAt,
      outcome: 'breaker-open',
      reason,
    };
    await store(
      ctx,
      r,
      summary,
      { tool: spec.tool, outcome: 'breaker-open', reason, durationMs: 0 },
      {
        to: 'parked',
        reason,
        kind: 'breaker',
        uncount: true,
      },
    );
    return;
  }
  await finish(ctx, r, ran.value, repo, ws);
}

/** The tool's pid: told to the supervisor at once, into the record once it ran PID_RECORD_DELAY_MS. */
function toolPidKeeper(
  ctx: WorkerContext,
  r: Running,
): { onSpawn: (pid: number) => void; settled: () => Promise<unknown> } {
  let write: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  return {
    onSpawn: (pid) => {
      r.pid = pid;
      r.pidStart = processStartTime(pid);
      timer = setTimeout(() => {
        timer = undefined;
        write = ctx.transitions
          .recordToolPid(r.id, pid, r.pidStart)
          .catch((err: unknown) => ctx.log.error(`could not record pid of ${r.id}: ${String(err)}`));
      }, PID_RECORD_DELAY_MS);
      ctx.link?.send('task-started', { id: r.id, attempt: r.attempt, tool: r.tool, pid });
    },
    settled: () => {
      if (timer !== undefined) clearTimeout(timer);
      return write;
    },
  };
}

/** Decides where the task goes after its attempt, and stores that. */
async function finish(
  ctx: WorkerContext,
  r: Running,
  ran: AttemptRun,
  repo: string,
  ws: Workspace,
): Promise<void> {
  const spec = r.rec.spec;
  const settled = await settleWorkspace(ctx, r.rec, ws, ran.classification.outcome === 'success');
  const a: AttemptRun = settled.error
    ? { ...ran, classification: { outcome: 'permanent', retryable: false, reason: settled.error } }
    : ran;
  const escaped = await endEscaped(ctx, r);
  const c = a.classification;
  const res = a.result;
  // The agent's work is accepted only when the repo's gate passes (tasks with `verify`).
  const verified = c.outcome === 'success' ? await verifyAfterSuccess(ctx, r, ws.cwd) : undefined;
  // The gate's steps carry the attempt's marker too: what they left behind is ended as well.
  if (verified) escaped.count += (await endEscaped(ctx, r)).count;
  const now = new Date(ctx.clock.now());
  const reason = a.redact(ctx.redact(c.reason));
  const lock = await lockFinding(ctx, r, repo, `${res?.stderr ?? ''}\n${res?.stdout ?? ''}`);
  const maxAttempts = spec.max_attempts ?? ctx.policies.retry.maxAttempts;
  await countSpend(ctx, now, spec.tool, c.usage?.costUsd, r.id);
  const park = r.abortReason
    ? undefined
    : decidePark({
        tool: spec.tool,
        classification: { ...c, reason },
        now,
        previousLimits: ctx.parks.limitsInRow(spec.tool),
        policy: ctx.policies.limits,
      });
  if (park) await ctx.parks.parkLimit(spec.tool, park, r.id);
  if (c.outcome === 'success') ctx.parks.succeeded(spec.tool);
  const counted = countedAttempt(r.rec, r.attempt);
  const retry = decideRetry({
    retryable: c.retryable || lock !== undefined,
    ...(c.resetAt ? { resetAt: c.resetAt } : {}),
    attempt: counted,
    maxAttempts,
    now,
    policy: ctx.policies.retry,
  });
  const end =
    verified?.end ??
    decideAttemptEnd({
      abortReason: r.abortReason,
      classification: { ...c, reason },
      lock,
      retry,
      attempt: counted,
      maxAttempts,
      now,
      tool: spec.tool,
      ...(park ? { park } : {}),
      taskCapSpent:
        spec.max_cost_usd !== undefined && ctx.spend.spentByTask(r.id) >= spec.max_cost_usd - 1e-9,
    });
  const outcome = end.to === 'cancelled' ? 'cancelled' : c.outcome;
  const summary: AttemptSummary = {
    attempt: r.attempt,
    startedAt: r.startedAt,
    endedAt: now.toISOString(),
    outcome,
    reason,
    exitCode: res?.exitCode ?? null,
    ...(c.limit ? { limit: c.limit } : {}),
    ...(a.sessionId ? { sessionId: a.sessionId } : {}),
    ...(c.sessionNotFound ? { sessionNotFound: true } : {}),
  };
  const line = attemptLine(spec.tool, repo, a, outcome, reason, escaped.count, verified?.round);
  const round = verified?.round;
  const result = nextTaskResult(r.rec, {
    classification: c,
    outcome: end.to === 'attention' && round ? 'verify_failed' : outcome,
    ...(round ? { verify: round } : {}),
    exitCode: res?.exitCode ?? null,
    durationMs: a.durationMs,
    logPath: taskLogFile(ctx.paths.logsDir, r.id),
    ...(settled.worktree ? { worktree: settled.worktree } : {}),
  });
  // Nothing of the attempt runs any more and the repo is left as it will stay: the slot is free.
  // The task is still in `running` for everything else (its id, a stop's wait, its dependents).
  r.slotFree = true;
  ctx.waker.wake();
  await store(ctx, r, summary, { ...line, ...worktreeLine(result) }, end, result);
  ctx.log.info(
    `task ${r.id} attempt ${r.attempt}: ${c.outcome} -> ${end.to}${c.outcome === 'success' ? '' : ` (${reason})`}`,
    { taskId: r.id, attempt: r.attempt, tool: spec.tool },
  );
}

/** Processes that left the attempt's process group (setsid, double forks) still carry its marker. */
async function endEscaped(ctx: WorkerContext, r: Running): Promise<{ count: number }> {
  return endEscapedProcesses(ctx.paths.root, `${r.id}#${r.attempt}`, {
    graceMs: killGraceMs(ctx.policies),
    ...(r.pidStart !== undefined ? { toolStartTime: r.pidStart } : {}),
    // The claim is before the spawn: an upper bound of how long the tool's pid window is.
    ...(r.pid ? { tool: { pid: r.pid, attemptMs: ctx.clock.now() - Date.parse(r.startedAt) } } : {}),
  }).catch(() => ({ count: 0 }));
}

/** Adds an attempt's cost to the spend book; the summary file `status` reads is rewritten when it changed. */
async function countSpend(
  ctx: WorkerContext,
  now: Date,
  tool: string,
  costUsd: number | undefined,
  id: string,
): Promise<void> {
  if (!ctx.spend.add(now, tool, costUsd, id)) return;
  await spendFile(ctx.paths.spend)
    .write(ctx.spend.summary(now), { fsync: false })
    .catch((err: unknown) => ctx.log.warn(`could not write ${ctx.paths.spend}: ${String(err)}`));
}

/**
 * Stores the end of an attempt, waiting out passing disk faults (claiming pauses meanwhile): a
 * finished attempt is never thrown away because `.tasks/` was briefly not writable.
 */
async function store(
  ctx: WorkerContext,
  r: Running,
  summary: AttemptSummary,
  line: Record<string, unknown>,
  end: AttemptEnd,
  result?: TaskResult,
): Promise<void> {
  const rec = await untilStored(() => ctx.transitions.endAttempt(r.id, summary, line, end, result), {
    signal: ctx.stopping.signal,
    onFault: (err, n) => {
      ctx.pause.until = ctx.clock.now() + FAULT_PAUSE_MS;
      ctx.pause.reason = `could not store the end of ${r.id}: ${String(err)}`;
      if (n === 1)
        ctx.log.error(`${ctx.pause.reason}; retrying until it works (claiming paused)`, { taskId: r.id });
    },
  });
  r.ended = rec.state;
  announceEnd(ctx, rec);
  if (end.to === 'parked') ctx.noteParked(r.id, r.tool);
  const shown = end.to === 'parked' ? 'breaker-open' : end.to;
  ctx.link?.send('task-finished', { id: r.id, attempt: r.attempt, outcome: shown });
  count(ctx, end.to === 'parked' ? 'quarantine' : end.to);
  // Once the task has left `running`, launch's wake runs another pass if the stored end needs one
  // (its dependents, a retry, a park: ctx.passAfterEnd).
}

/** After a git attempt that failed on index.lock: is the lock stale, and was it removed? */
async function lockFinding(
  ctx: WorkerContext,
  r: Running,
  repo: string,
  output: string,
): Promise<LockFinding> {
  if (parseIndexLockError(output) === undefined) return undefined;
  const ownGitPids = [...ctx.running.values()]
    .filter((o) => o !== r && o.tool === 'git' && o.pid)
    .map((o) => o.pid as number);
  const repair = await repairStaleIndexLock(repo, {
    minAgeMs: ctx.policies.gitLock.minAgeSec * 1000,
    ownGitPids,
  });
  await ctx.ledger.append({
    event: repair.removed ? 'lock.repaired' : 'lock.kept',
    task: r.id,
    attempt: r.attempt,
    repo,
    reason: repair.reason,
    file: repair.lockPath,
  });
  ctx.log.warn(`${repair.removed ? 'removed stale' : 'kept'} ${repair.lockPath}: ${repair.reason}`, {
    taskId: r.id,
  });
  return { removed: repair.removed, reason: repair.reason };
}
