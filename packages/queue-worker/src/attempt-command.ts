import type { ToolSpec } from '@headless/core/config/schema';
import type { TaskSpec } from '@headless/core/task/schema';
import { buildCommand, type BuiltCommand } from '@headless/core/tool/command';
import { commandTask } from '@headless/core/task/validate';
import {
  applySession,
  continuationPrompt,
  sessionIdFromLine,
  type SessionPlan,
} from '@headless/core/tool/resume';
import { claudeBudgetArgs } from '@headless/core/policy/budget';
import { createUsageTracker } from '@headless/core/tool/usage-tracker';

/**
 * The command line of one attempt: the tool's argv for the task, the session flags of its plan (a
 * resumed agent gets a short continuation prompt instead of the task's prompt again) and, for
 * claude, its own spend cap (`--max-budget-usd`, what the budgets leave). Throws CommandBuildError.
 */
export function attemptCommand(
  spec: TaskSpec,
  toolName: string,
  tool: ToolSpec,
  repo: string,
  opts: {
    scratchDir: string;
    root: string;
    plan: SessionPlan;
    resumeWhy?: string;
    capUsd?: number;
    /** The failures of the last verify round (policy/verify.ts): what this attempt must fix. */
    verifyPrompt?: string;
  },
): BuiltCommand {
  const task = commandTask(spec, repo);
  if (opts.plan.mode === 'resume')
    task.prompt = opts.verifyPrompt ?? continuationPrompt(opts.resumeWhy ?? 'the run was interrupted');
  // Without a session to continue, the agent gets its task again with the failures after it.
  else if (opts.verifyPrompt !== undefined)
    task.prompt = task.prompt ? `${task.prompt}\n\n${opts.verifyPrompt}` : opts.verifyPrompt;
  let built = buildCommand(toolName, tool, task, { scratchDir: opts.scratchDir, root: opts.root });
  built = applySession(tool, built, opts.plan, task.prompt);
  if (tool.output === 'claude-json' && opts.capUsd !== undefined)
    built = { ...built, args: [...built.args, ...claudeBudgetArgs(opts.capUsd)] };
  return built;
}

/**
 * What the runner is fed while the tool streams: the session id as soon as the tool names it
 * (codex `thread.started`), and the running cost against the attempt's cap (usage-tracker.ts).
 */
export function streamWatch(
  tool: ToolSpec,
  plan: SessionPlan,
  capUsd: number | undefined,
  onSession: ((id: string) => void) | undefined,
): {
  onLine: (stream: 'stdout' | 'stderr', line: string) => void;
  overBudget?: (stream: 'stdout' | 'stderr', line: string) => string | undefined;
  sessionId: () => string | undefined;
} {
  const tracker = createUsageTracker({
    format: tool.output,
    pricing: tool.pricing,
    ...(capUsd !== undefined ? { capUsd } : {}),
  });
  let sessionId = plan.mode === 'none' ? undefined : plan.sessionId;
  return {
    onLine: (stream, line) => {
      if (sessionId !== undefined || stream !== 'stdout') return;
      const named = sessionIdFromLine(tool.output, line);
      if (named === undefined) return;
      sessionId = named;
      onSession?.(named);
    },
    ...(capUsd !== undefined && Number.isFinite(capUsd)
      ? { overBudget: (stream: 'stdout' | 'stderr', line: string) => tracker.feed(stream, line) }
      : {}),
    sessionId: () => sessionId,
  };
}
