import type { PoliciesConfig, ToolSpec } from '../config/schema.js';
import { continuationPrompt, failureReason } from '../repo-quality/report.js';
import type { GateResult } from '../repo-quality/types.js';
import type { TaskSpec } from '../task/schema.js';
import type { AttemptSummary } from '../task/record.js';
import type { VerifyRound } from '../task/result.js';

/**
 * The verify loop's decisions (docs/quality.md "The verify loop"). A task with `verify` is done only
 * when the repo's quality gate passes after a successful run of its agent; a failing gate sends the
 * task round again, resuming the agent's session with the failures, until `verify.maxRounds` gate
 * runs; then the task is held for a person (`attention`, outcome `verify_failed`). Pure.
 */

export type VerifyPolicy = PoliciesConfig['verify'];

/** The gate steps a task wants checked: every step (true), some by name, or none (undefined). */
export function verifyWanted(
  spec: Pick<TaskSpec, 'verify'>,
  tool: Pick<ToolSpec, 'verify'> | undefined,
): true | string[] | undefined {
  const v = spec.verify ?? tool?.verify ?? false;
  if (v === false) return undefined;
  return v === true ? true : [...v];
}

/**
 * The rounds of the current run of the loop, oldest first: the failed rounds at the end of the list
 * whose attempts come before `attempt`, each before the next. A person's retry restarts attempt
 * numbers at 1, so rounds of an earlier run (numbered higher) end the series: the loop starts over.
 */
export function roundsSoFar(all: readonly VerifyRound[] | undefined, attempt: number): VerifyRound[] {
  const out: VerifyRound[] = [];
  let before = attempt;
  for (let i = (all?.length ?? 0) - 1; i >= 0; i--) {
    const r = all![i]!;
    if (r.passed || r.attempt >= before) break;
    out.unshift(r);
    before = r.attempt;
  }
  return out;
}

/**
 * The prompt the next attempt resumes the agent with: set when the last attempt that ran was a
 * successful run whose gate failed with rounds left. Any other attempt in between (a crash, a stop,
 * a limit) made its own plan, and the agent's session already holds the failures.
 */
export function pendingVerifyPrompt(
  rounds: readonly VerifyRound[] | undefined,
  history: readonly Pick<AttemptSummary, 'attempt' | 'outcome'>[],
): string | undefined {
  const last = rounds?.[rounds.length - 1];
  const ran = history.filter((h) => h.outcome !== 'breaker-open');
  const lastRan = ran[ran.length - 1];
  if (!last || last.passed || last.prompt === undefined || lastRan?.attempt !== last.attempt)
    return undefined;
  return lastRan.outcome === 'success' ? last.prompt : undefined;
}

/** The first lines of what each failed step says, `step: line`, and each failed step's log. */
function failedSteps(
  gate: GateResult,
  linesPerStep: number,
): Pick<VerifyRound, 'failed' | 'failures' | 'logs'> {
  const failed = gate.steps.filter((s) => s.status === 'failed');
  return {
    failed: failed.map((s) => s.name),
    failures: failed.flatMap((s) => {
      const lines = s.failures.length > 0 ? s.failures : (s.tail ?? []);
      const shown = lines.slice(0, linesPerStep).map((l) => `${s.name}: ${l}`);
      if (shown.length === 0) shown.push(`${s.name}: ${s.note ?? `exit code ${s.exitCode ?? '-'}`}`);
      return shown;
    }),
    logs: failed.flatMap((s) => (s.log ? [s.log] : [])),
  };
}

export type VerifyVerdict =
  | { next: 'done'; round: VerifyRound }
  /** The gate failed and rounds are left: the task runs again at once, resuming the agent. */
  | { next: 'again'; round: VerifyRound; reason: string }
  /** The gate still fails after the last round, or could not run: a person decides. */
  | { next: 'attention'; round: VerifyRound; reason: string };

export interface VerifyInput {
  /** The gate's result, or why it could not run. */
  gate: GateResult | { error: string };
  attempt: number;
  /** `roundsSoFar` for this attempt. */
  previous: readonly VerifyRound[];
  policy: VerifyPolicy;
}

/** What a gate run after a successful attempt means for the task. */
export function decideVerify(input: VerifyInput): VerifyVerdict {
  const { gate, policy } = input;
  const round = input.previous.length + 1;
  const base = { round, attempt: input.attempt };
  if ('error' in gate) {
    const r: VerifyRound = { ...base, passed: false, failed: [], failures: [], logs: [], error: gate.error };
    return { next: 'attention', round: r, reason: `the quality gate could not run: ${gate.error}` };
  }
  if (gate.passed)
    return { next: 'done', round: { ...base, passed: true, failed: [], failures: [], logs: [] } };
  const seen = failedSteps(gate, policy.linesPerStep);
  const why = failureReason(gate);
  if (round >= policy.maxRounds) {
    return {
      next: 'attention',
      round: { ...base, passed: false, ...seen },
      reason: `${why} (verify round ${round} of ${policy.maxRounds}, none left; the work is kept)`,
    };
  }
  const prompt = continuationPrompt(gate, {
    round: round + 1,
    maxRounds: policy.maxRounds,
    maxLinesPerStep: policy.linesPerStep,
    maxChars: policy.maxPromptChars,
  });
  return {
    next: 'again',
    round: { ...base, passed: false, ...seen, prompt },
    reason: `${why} (verify round ${round} of ${policy.maxRounds}; the agent is resumed with the failures)`,
  };
}

/** The ledger's view of a round (the record keeps the prompt; the ledger needs the verdict). */
export function verifyLine(r: VerifyRound): Record<string, unknown> {
  return {
    round: r.round,
    passed: r.passed,
    ...(r.failed.length ? { failed: r.failed } : {}),
    ...(r.failures.length ? { failures: r.failures.slice(0, 20) } : {}),
    ...(r.logs.length ? { logs: r.logs } : {}),
    ...(r.error ? { error: r.error } : {}),
  };
}
