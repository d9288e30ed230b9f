import type { TaskState } from './record.js';

/** Why a finished task needs a person, if it does. */
export type TaskAttentionKind =
  | 'failed'
  | 'blocked_on_input'
  | 'suspect'
  | 'dependency_failed'
  | 'not_found'
  /** Its tool is not logged in: the task is held (quarantine, kind attention) and the tool parked. */
  | 'needs_login'
  /** The agent's work still failed the repo's quality gate after the last verify round (held). */
  | 'verify_failed';

/** The few facts of a task that decide whether it needs attention. */
export interface TaskAttentionFacts {
  id: string;
  state: TaskState;
  /** The last attempt's (or the failure's) outcome, as the ledger writes it. */
  outcome?: string;
  reason?: string;
  /** Set on a success that may not have done the work. */
  suspect?: string;
}

/**
 * The kind of attention a task needs, or undefined when it needs none (done cleanly, cancelled by
 * a person, still going). One definition for the report, the status table and notifications.
 */
export function taskAttention(t: TaskAttentionFacts): TaskAttentionKind | undefined {
  if (t.state === 'done') return t.suspect ? 'suspect' : undefined;
  // Held for a person by the worker (quarantine, kind attention): its last attempt's outcome says why.
  if (t.state === 'quarantine') {
    if (t.outcome === 'auth') return 'needs_login';
    if (t.outcome === 'blocked_on_input') return 'blocked_on_input';
    if (t.outcome === 'suspect') return 'suspect';
    if (t.outcome === 'verify_failed') return 'verify_failed';
    return undefined;
  }
  if (t.state !== 'failed') return undefined;
  const outcome = t.outcome ?? '';
  const reason = t.reason ?? '';
  if (outcome === 'cancelled' || /^cancel/i.test(reason)) return undefined;
  if (/^blocked[-_ ]on[-_ ]input/i.test(outcome) || /^blocked on input/i.test(reason))
    return 'blocked_on_input';
  if (/^dependency[-_]failed/.test(outcome) || /^dependency_failed/.test(reason)) return 'dependency_failed';
  if (outcome === 'not-found') return 'not_found';
  return 'failed';
}

/** The one command that deals with it (`tool`: the task's tool, for a login). */
export function nextCommand(kind: TaskAttentionKind, id: string, tool?: string): string {
  switch (kind) {
    // After the login: the reset ends the tool's park and brings its held tasks back.
    case 'needs_login':
      return tool ? `headless retry --reset-breaker ${tool}` : 'headless doctor';
    // The reason says what to fix; this puts the task back afterwards.
    case 'failed':
    case 'blocked_on_input':
      return `headless retry ${id}`;
    // The failures and the branch with the work are in show; `headless retry` starts the rounds over.
    case 'suspect':
    case 'verify_failed':
      return `headless show ${id}`;
    // The dependency and its dependents all have to run again.
    case 'dependency_failed':
      return 'headless retry --failed';
    case 'not_found':
      return 'headless doctor';
  }
}
