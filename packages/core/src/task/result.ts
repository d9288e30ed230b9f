import type { ChangedFile } from '../git/worktree-changes.js';

/** Tokens and cost of one attempt or a whole task. */
export interface TaskUsage {
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
  /** The tool reported only tokens and the cost was estimated from them. */
  costEstimated?: boolean;
}

/** What a task's worktree holds at the end of its last attempt. */
export interface WorktreeResult {
  path: string;
  branch: string;
  /** The base as the task gave it (branch, tag or SHA; `HEAD` by default). */
  base: string;
  baseSha: string;
  headSha?: string;
  diffstat?: { files: number; insertions: number; deletions: number };
  changedFiles?: ChangedFile[];
}

/**
 * The result of a task, kept with its record (proposed home: `TaskRecord.result`, written by the
 * attempt's end transition) so `show`, `report` and `status` need not read the whole ledger.
 * Every field is optional: a record written before results existed has none.
 */
export interface TaskResult {
  /** The tool's final message: claude `result`, codex's last `agent_message`, gemini `response`, aider's last reply. */
  finalMessage?: string;
  /** Summed over the task's attempts. */
  usage?: TaskUsage;
  /** The tool session of the last attempt (resumed by this exact id on retry). */
  sessionId?: string;
  /** Summed over the attempts. */
  durationMs?: number;
  exitCode?: number | null;
  /** The last attempt's outcome in words of the ledger, e.g. `blocked_on_input`, `dependency_failed`. */
  outcome?: string;
  /** Set on a success that may not have done the work (e.g. claude's permission denials). */
  suspect?: string;
  /** `logs/task_<id>.log`. */
  logPath?: string;
  worktree?: WorktreeResult;
  /** The quality gate after each successful attempt of a task with `verify` (policy/verify.ts), oldest first. */
  verify?: VerifyRound[];
}

/** One verify round: the gate run in the task's worktree after an attempt of the agent succeeded. */
export interface VerifyRound {
  /** 1 for the gate after the first run; counts again from 1 after a person retries the task. */
  round: number;
  /** The attempt whose work the gate checked. */
  attempt: number;
  passed: boolean;
  /** The failed steps' names. */
  failed: string[];
  /** What failed, the first lines per failed step (`step: line`), as the tools say it. */
  failures: string[];
  /** The failed steps' logs. */
  logs: string[];
  /** The gate could not run (a bad .headless/quality.json, an unknown step name): why. */
  error?: string;
  /** The prompt the next round resumes the agent with (a failed round with rounds left). */
  prompt?: string;
}
