import { nextCommand, taskAttention } from '@headless/core/task/attention';
import type { TaskSummary } from './task-summary.js';

export { taskAttention };

export type AttentionKind =
  | 'failed'
  | 'blocked_on_input'
  | 'suspect'
  | 'dependency_failed'
  | 'not_found'
  | 'needs_login'
  | 'verify_failed'
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

/** The attention list of a report: tasks first (in the order given), then tools, budget and worktrees. Pure. */
export function attentionList(
  tasks: readonly TaskSummary[],
  sources: AttentionSources = {},
): AttentionItem[] {
  const out: AttentionItem[] = [];
  for (const t of tasks) {
    const kind = taskAttention(t);
    if (kind === undefined) continue;
    const why = (kind === 'suspect' ? t.suspect : t.reason) ?? kind;
    out.push({ id: t.id, kind, why, next: nextCommand(kind, t.id, t.tool) });
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
