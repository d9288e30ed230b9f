import type { TaskState } from './record.js';

/** Why a finished task needs a person, if it does. */
export type TaskAttentionKind = 'failed' | 'blocked_on_input' | 'suspect' | 'dependency_failed' | 'not_found';

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

/** The one command that deals with it. */
export function nextCommand(kind: TaskAttentionKind, id: string): string {
  switch (kind) {
    // The reason says what to fix; this puts the task back afterwards.
    case 'failed':
    case 'blocked_on_input':
      return `headless retry ${id}`;
    case 'suspect':
      return `headless show ${id}`;
    // The dependency and its dependents all have to run again.
    case 'dependency_failed':
      return 'headless retry --failed';
    case 'not_found':
      return 'headless doctor';
  }
}
