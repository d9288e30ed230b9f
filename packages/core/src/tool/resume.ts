import { randomUUID } from 'node:crypto';
import type { OutputFormat, ToolSpec } from '../config/schema.js';
import type { BuiltCommand } from './command.js';
import type { Outcome } from './classify.js';

/**
 * Continuing an agent's session on the next attempt, so a run cut short by a timeout, a stall, a
 * stop, a crash or a usage limit picks up where it was instead of starting over. Flags checked
 * against the real CLIs' --help (claude 2.1.332, codex-cli 0.171.0, gemini 0.61.0):
 *
 * - claude: `--session-id <uuid>` ("must be a valid UUID") names the session of a new run, so
 *   headless chooses it before the first attempt and a killed attempt, which prints no result, can
 *   still be resumed; `-r, --resume <id>` continues it. Unknown id: exit 1 `No conversation found
 *   with session ID: <id>`.
 * - codex: the thread id comes from the first streamed event `{"type":"thread.started",
 *   "thread_id":…}`; `codex exec [OPTIONS] resume <SESSION_ID> [PROMPT]` continues it. `resume`
 *   does not take `-C` or `--sandbox`, but the exec options before it apply. Unknown id: exit 1
 *   `thread/resume failed: no rollout found for thread id <id>`.
 * - gemini: `--session-id <uuid>` ("Start a new session with a manually provided UUID") and
 *   `-r, --resume <uuid|index|latest>`; sessions are per project folder. Unknown: exit 42
 *   `Error resuming session: …`.
 * Never "latest": another run may have made a newer session.
 */

export type ResumeKind = 'claude' | 'codex' | 'gemini';

/** Which resume scheme a tool's output format implies; undefined for tools without sessions. */
export function resumeKindOf(format: OutputFormat): ResumeKind | undefined {
  switch (format) {
    case 'claude-json':
      return 'claude';
    case 'codex-jsonl':
      return 'codex';
    case 'gemini-json':
      return 'gemini';
    default:
      return undefined;
  }
}

/** The outcomes after which the work may be half done, so the next attempt continues it. */
const RESUMABLE: ReadonlySet<Outcome> = new Set(['timeout', 'stalled', 'interrupted', 'budget']);

export interface LastAttempt {
  outcome: Outcome;
  /** The session the attempt ran in (chosen before it, or read from its output). */
  sessionId?: string;
  /** A transient failure that was a usage or rate limit. */
  limit?: 'usage' | 'rate';
  /** The attempt tried to resume a session the tool did not have. */
  sessionNotFound?: boolean;
  /** The worker died during it (recovery requeued it). */
  crashed?: boolean;
  /** It succeeded but its work failed the quality gate (verify loop): the agent fixes it in the same session. */
  verifyFailed?: boolean;
}

export type SessionPlan =
  | { mode: 'none' }
  /** A new session with an id headless chose (claude, gemini): record `sessionId` before the start. */
  | { mode: 'new'; sessionId: string }
  /** Continue `sessionId` with a continuation prompt. */
  | { mode: 'resume'; sessionId: string };

export interface PlanInput {
  tool: Pick<ToolSpec, 'output' | 'resume'>;
  /** The task's `resume` field (undefined: the tool decides). */
  taskResume?: boolean;
  /** The previous attempt of this task, if any. */
  last?: LastAttempt;
  newId?: () => string;
}

/** What the next attempt does with sessions. Pure apart from the default id generator. */
export function planSession(input: PlanInput): SessionPlan {
  const kind = resumeKindOf(input.tool.output);
  if (kind === undefined) return { mode: 'none' };
  const enabled = input.taskResume ?? input.tool.resume;
  const last = input.last;
  const resumable =
    last !== undefined &&
    last.sessionId !== undefined &&
    !last.sessionNotFound &&
    (last.crashed === true ||
      last.verifyFailed === true ||
      RESUMABLE.has(last.outcome) ||
      last.limit !== undefined);
  if (enabled && resumable) return { mode: 'resume', sessionId: last.sessionId! };
  // codex picks its own thread id; claude and gemini take one chosen here.
  if (kind === 'codex') return { mode: 'none' };
  return { mode: 'new', sessionId: (input.newId ?? randomUUID)() };
}

/** The prompt a resumed attempt sends: the agent has the whole conversation, it needs only a nudge. */
export function continuationPrompt(why: string): string {
  return (
    `The previous run of this task was cut short (${why}). Continue the task from where you stopped: ` +
    'check what is already done in the working folder, then finish what is left.'
  );
}

/**
 * Adds the session flags to a command built for this attempt (built with `continuationPrompt` as
 * the prompt when resuming). claude/gemini: the flag at the end; codex: `resume <id>` after the exec
 * options, right before the prompt argument (or the `-` that stands for it when it goes by stdin).
 */
export function applySession(
  tool: Pick<ToolSpec, 'output' | 'prompt'>,
  built: BuiltCommand,
  plan: SessionPlan,
  prompt: string | undefined,
): BuiltCommand {
  const kind = resumeKindOf(tool.output);
  if (kind === undefined || plan.mode === 'none') return built;
  if (kind === 'codex') {
    if (plan.mode === 'new') return built;
    const promptArg =
      built.promptVia === 'argument'
        ? prompt
        : built.promptVia === 'stdin'
          ? (tool.prompt.stdinArg ?? undefined)
          : undefined;
    const at = promptArg === undefined ? -1 : built.args.lastIndexOf(promptArg);
    const args = [...built.args];
    if (at < 0) args.push('resume', plan.sessionId);
    else args.splice(at, 0, 'resume', plan.sessionId);
    return { ...built, args };
  }
  const flag = plan.mode === 'new' ? '--session-id' : '--resume';
  return { ...built, args: [...built.args, flag, plan.sessionId] };
}

/**
 * The session id as soon as the tool names it, from one streamed line: codex's first event
 * `thread.started`. Read while the attempt runs (RunRequest.onLine) and persisted at once, so an
 * attempt killed a second later can still be resumed. claude and gemini need none: their id is
 * chosen before the start.
 */
export function sessionIdFromLine(format: OutputFormat, line: string): string | undefined {
  if (format !== 'codex-jsonl' || !line.includes('thread.started')) return undefined;
  try {
    const e = JSON.parse(line) as { type?: unknown; thread_id?: unknown };
    return e.type === 'thread.started' && typeof e.thread_id === 'string' ? e.thread_id : undefined;
  } catch {
    return undefined;
  }
}
