/**
 * What status shows about a loop, and how one finished run changes it. Pure; the orchestrator keeps
 * one of these per loop and writes them all to `.tasks/run/loops.json`.
 */

export type LoopResult = 'ok' | 'failed' | 'skipped';

export interface LoopState {
  enabled: boolean;
  intervalSec: number;
  /** True while a run is in progress (a loop never has two). */
  running: boolean;
  lastRunAt: string | null;
  lastResult: LoopResult | null;
  lastReason: string | null;
  lastDurationMs: number | null;
  nextRunAt: string | null;
  runs: number;
  failures: number;
}

/** The outcome of one repo in one run. */
export interface RepoOutcome {
  repo: string;
  result: LoopResult;
  reason?: string;
}

export function initialLoopState(enabled: boolean, intervalSec: number): LoopState {
  return {
    enabled,
    intervalSec,
    running: false,
    lastRunAt: null,
    lastResult: null,
    lastReason: null,
    lastDurationMs: null,
    nextRunAt: null,
    runs: 0,
    failures: 0,
  };
}

/**
 * One result for a run over several repos: failed if any repo failed, else skipped if any was
 * skipped, else ok. The reason names each repo that was not ok.
 */
export function combineOutcomes(outcomes: readonly RepoOutcome[]): {
  result: LoopResult;
  reason: string | null;
} {
  const notOk = outcomes.filter((o) => o.result !== 'ok');
  const result: LoopResult = notOk.some((o) => o.result === 'failed')
    ? 'failed'
    : notOk.length > 0
      ? 'skipped'
      : 'ok';
  const reason =
    notOk.length === 0 ? null : notOk.map((o) => `${o.repo}: ${o.reason ?? o.result}`).join('; ');
  return { result, reason };
}

export function runStarted(state: LoopState): LoopState {
  return { ...state, running: true, nextRunAt: null };
}

export function runFinished(
  state: LoopState,
  run: {
    startedAt: number;
    finishedAt: number;
    result: LoopResult;
    reason: string | null;
    nextRunAt: number | null;
  },
): LoopState {
  return {
    ...state,
    running: false,
    lastRunAt: new Date(run.startedAt).toISOString(),
    lastResult: run.result,
    lastReason: run.reason,
    lastDurationMs: Math.max(0, run.finishedAt - run.startedAt),
    nextRunAt: run.nextRunAt === null ? null : new Date(run.nextRunAt).toISOString(),
    runs: state.runs + 1,
    failures: state.failures + (run.result === 'failed' ? 1 : 0),
  };
}

export function scheduled(state: LoopState, at: number): LoopState {
  return { ...state, nextRunAt: new Date(at).toISOString() };
}
