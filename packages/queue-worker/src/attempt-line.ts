import { verifyLine } from '@headless/core/policy/verify';
import type { TaskResult, VerifyRound } from '@headless/core/task/result';
import type { AttemptRun } from './attempt.js';

/** The attempt.end ledger line (docs/ledger.md). */
export function attemptLine(
  tool: string,
  repo: string,
  a: AttemptRun,
  outcome: string,
  reason: string,
  escapedCount: number,
  round: VerifyRound | undefined,
): Record<string, unknown> {
  const res = a.result;
  const c = a.classification;
  return {
    tool,
    repo,
    ...(res?.pid ? { pid: res.pid } : {}),
    exitCode: res?.exitCode ?? null,
    signal: res?.signal ?? null,
    durationMs: a.durationMs,
    outcome,
    ...(c.outcome !== 'success' ? { class: c.retryable ? 'transient' : 'permanent' } : {}),
    reason,
    ...(c.usage ? { usage: c.usage } : {}),
    ...(a.sessionId ? { sessionId: a.sessionId } : {}),
    ...(a.resumed ? { resumed: a.resumed } : {}),
    ...(c.suspect ? { suspect: c.suspect } : {}),
    ...(res && res.survivors.length ? { survivors: res.survivors } : {}),
    // Windows: the attempt's tree was not in a Job Object, so its end relied on taskkill (says why).
    ...(res?.containment?.method === 'taskkill' ? { containment: res.containment } : {}),
    ...(escapedCount ? { survivorsKilled: escapedCount } : {}),
    ...(round ? { verify: verifyLine(round) } : {}),
  };
}

/** The ledger's view of the worktree: branch and commit range, so `report` works from the ledger alone too. */
export function worktreeLine(result: TaskResult): Record<string, unknown> {
  const wt = result.worktree;
  if (!wt) return {};
  return {
    branch: wt.branch,
    baseSha: wt.baseSha,
    ...(wt.headSha ? { headSha: wt.headSha } : {}),
    ...(wt.diffstat ? { diffstat: wt.diffstat } : {}),
  };
}
