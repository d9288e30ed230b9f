import type { TaskRecord } from '@headless/core/task/record';
import type { TaskResult, TaskUsage, VerifyRound, WorktreeResult } from '@headless/core/task/result';
import type { Classification } from '@headless/core/tool/classify';

export interface AttemptResultFacts {
  classification: Pick<Classification, 'usage' | 'sessionId' | 'finalMessage' | 'suspect'>;
  outcome: string;
  exitCode: number | null;
  durationMs: number;
  logPath: string;
  worktree?: WorktreeResult;
  /** This attempt's verify round, added to the task's list. */
  verify?: VerifyRound;
}

/**
 * The task's result after one more attempt: usage and duration summed over the attempts, the rest
 * from the last attempt (a final message, a session or a worktree an attempt did not report stays
 * from the one before). Pure.
 */
export function nextTaskResult(rec: Pick<TaskRecord, 'result'>, f: AttemptResultFacts): TaskResult {
  const prev = rec.result ?? {};
  const c = f.classification;
  const usage = addUsage(prev.usage, c.usage);
  const out: TaskResult = {
    ...prev,
    durationMs: (prev.durationMs ?? 0) + f.durationMs,
    exitCode: f.exitCode,
    outcome: f.outcome,
    logPath: f.logPath,
  };
  const { suspect: _s, ...withoutSuspect } = out;
  const next: TaskResult = c.suspect ? { ...out, suspect: c.suspect } : withoutSuspect;
  if (usage) next.usage = usage;
  if (c.finalMessage !== undefined) next.finalMessage = c.finalMessage;
  if (c.sessionId) next.sessionId = c.sessionId;
  if (f.worktree) next.worktree = f.worktree;
  if (f.verify) next.verify = [...(prev.verify ?? []), f.verify];
  return next;
}

function addUsage(a: TaskUsage | undefined, b: TaskUsage | undefined): TaskUsage | undefined {
  if (!b) return a;
  if (!a) return pick(b);
  const sum = (x?: number, y?: number) =>
    x === undefined && y === undefined ? undefined : (x ?? 0) + (y ?? 0);
  const out: TaskUsage = {};
  const i = sum(a.inputTokens, b.inputTokens);
  const o = sum(a.outputTokens, b.outputTokens);
  const c = sum(a.costUsd, b.costUsd);
  if (i !== undefined) out.inputTokens = i;
  if (o !== undefined) out.outputTokens = o;
  if (c !== undefined) out.costUsd = c;
  if (a.costEstimated || b.costEstimated) out.costEstimated = true;
  return out;
}

function pick(u: TaskUsage): TaskUsage {
  return {
    ...(u.inputTokens !== undefined ? { inputTokens: u.inputTokens } : {}),
    ...(u.outputTokens !== undefined ? { outputTokens: u.outputTokens } : {}),
    ...(u.costUsd !== undefined ? { costUsd: u.costUsd } : {}),
    ...(u.costEstimated ? { costEstimated: true } : {}),
  };
}
