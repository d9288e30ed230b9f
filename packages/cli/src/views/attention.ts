import type { TaskSummary } from './task-summary.js';

export type AttentionKind =
  | 'failed'
  | 'blocked_on_input'
  | 'suspect'
  | 'dependency_failed'
  | 'not_found'
  | 'tool_parked'
  | 'breaker_open'
  | 'budget_reached'
  | 'worktree_dirty';

/** Something a person should look at, with the one command that deals with it. */
export interface AttentionItem {
  /** A task id, or a tool name for parked tools and open breakers. */
  id: string;
  kind: AttentionKind;
  why: string;
  next: string;
}

/** What besides tasks can need attention; each source is optional (the caller passes what it has). */
export interface AttentionSources {
  breakers?: Record<string, { state: string; openUntil?: string | null; lastReason?: string | null }>;
  parked?: { tool: string; until: string; reason: string }[];
  budget?: { why: string; next: string }[];
  dirtyWorktrees?: { id: string; path: string; files: string[] }[];
}

/** The kind of attention a task needs, or undefined when it needs none (done cleanly, cancelled, still going). */
export function taskAttention(t: TaskSummary): AttentionKind | undefined {
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

const NEXT: Record<
  'failed' | 'blocked_on_input' | 'suspect' | 'dependency_failed' | 'not_found',
  (id: string) => string
> = {
  // The reason says what to fix; this puts the task back afterwards.
  failed: (id) => `headless retry ${id}`,
  blocked_on_input: (id) => `headless retry ${id}`,
  suspect: (id) => `headless show ${id}`,
  // The dependency and its dependents all have to run again.
  dependency_failed: () => 'headless retry --failed',
  not_found: () => 'headless doctor',
};

/** The attention list of a report: tasks first (in the order given), then tools, budget and worktrees. Pure. */
export function attentionList(
  tasks: readonly TaskSummary[],
  sources: AttentionSources = {},
): AttentionItem[] {
  const out: AttentionItem[] = [];
  for (const t of tasks) {
    const kind = taskAttention(t);
    if (
      kind === undefined ||
      kind === 'tool_parked' ||
      kind === 'breaker_open' ||
      kind === 'budget_reached' ||
      kind === 'worktree_dirty'
    )
      continue;
    const why = (kind === 'suspect' ? t.suspect : t.reason) ?? kind;
    out.push({ id: t.id, kind, why, next: NEXT[kind](t.id) });
  }
  for (const p of sources.parked ?? []) {
    out.push({
      id: p.tool,
      kind: 'tool_parked',
      why: `${p.reason}; its tasks wait until ${p.until} and resume by themselves`,
      next: 'headless status',
    });
  }
  for (const [tool, b] of Object.entries(sources.breakers ?? {})) {
    if (b.state === 'closed') continue;
    out.push({
      id: tool,
      kind: 'breaker_open',
      why: `breaker ${b.state}${b.openUntil ? ` until ${b.openUntil}` : ''}: ${b.lastReason ?? 'repeated failures'}`,
      next: `headless retry --reset-breaker ${tool}`,
    });
  }
  for (const b of sources.budget ?? [])
    out.push({ id: 'budget', kind: 'budget_reached', why: b.why, next: b.next });
  for (const w of sources.dirtyWorktrees ?? []) {
    const n = w.files.length;
    out.push({
      id: w.id,
      kind: 'worktree_dirty',
      why: `worktree left with ${n} uncommitted file${n === 1 ? '' : 's'} (${w.files.slice(0, 3).join(', ')}${n > 3 ? ', …' : ''})`,
      next: `git -C "${w.path}" status`,
    });
  }
  return out;
}
