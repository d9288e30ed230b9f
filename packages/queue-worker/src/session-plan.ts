import type { ToolSpec } from '@headless/core/config/schema';
import type { Outcome } from '@headless/core/tool/classify';
import { planSession, type LastAttempt, type SessionPlan } from '@headless/core/tool/resume';
import type { TaskRecord } from '@headless/core/task/record';
import { pendingVerifyPrompt } from '@headless/core/policy/verify';

/**
 * The session plan of a task's next attempt (core/tool/resume.ts), from its record: the last
 * attempt that ran (a breaker refusal ran nothing) and the session on record.
 */
export function sessionPlanFor(rec: TaskRecord, tool: Pick<ToolSpec, 'output' | 'resume'>): SessionPlan {
  const ran = rec.history.filter((h) => h.outcome !== 'breaker-open');
  const h = ran[ran.length - 1];
  const last: LastAttempt | undefined =
    h === undefined
      ? undefined
      : {
          outcome: (h.outcome ?? 'interrupted') as Outcome,
          ...(rec.sessionId ? { sessionId: rec.sessionId } : {}),
          ...(h.limit ? { limit: h.limit } : {}),
          ...(h.sessionNotFound ? { sessionNotFound: true } : {}),
          // Recovery writes `interrupted` (or `poison`) for an attempt whose worker died.
          ...(h.outcome === 'interrupted' ? { crashed: true } : {}),
          ...(pendingVerifyPrompt(rec.result?.verify, rec.history) !== undefined
            ? { verifyFailed: true }
            : {}),
        };
  return planSession({
    tool,
    ...(rec.spec.resume !== undefined ? { taskResume: rec.spec.resume } : {}),
    ...(last ? { last } : {}),
  });
}

/** The claim's patch for a plan: the id headless chose, the one continued, or none (codex names its own). */
export function sessionPatch(plan: SessionPlan, sessionTool: boolean): { sessionId?: string | undefined } {
  if (!sessionTool) return {};
  return { sessionId: plan.mode === 'none' ? undefined : plan.sessionId };
}
