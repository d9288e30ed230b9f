import type { TaskState } from './record.js';

/** A task as dependency checks see it: its id and what it waits for. */
export interface DependencyNode {
  id: string;
  after: readonly string[];
}

/** What intake knows of tasks already stored (any state), by id. */
export type KnownTasks = (id: string) => DependencyNode | undefined;

/** One line of one inbox file, already valid on its own. */
export interface BatchTask extends DependencyNode {
  line: number;
}

/**
 * Checks the `after` lists of one inbox file's tasks (ids in the same file count as known) against
 * the store. Returns the refused lines with their reason: unknown ids, cycles (named as a path),
 * and tasks that wait for a line refused here. Pure.
 */
export function checkDependencies(batch: readonly BatchTask[], known: KnownTasks): Map<number, string> {
  const refused = new Map<number, string>();
  const inBatch = new Map(batch.map((t) => [t.id, t]));
  const node = (id: string): DependencyNode | undefined => inBatch.get(id) ?? known(id);

  for (const t of batch) {
    const unknown = t.after.filter((d) => node(d) === undefined);
    if (unknown.length > 0) {
      refused.set(
        t.line,
        `field "after": unknown task id${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}: enqueue ${unknown.length > 1 ? 'them' : 'it'} first, or in the same file`,
      );
    }
  }
  for (const t of batch) {
    if (refused.has(t.line)) continue;
    const cycle = findCycle(t.id, node);
    if (cycle)
      refused.set(t.line, `field "after": a cycle ${cycle.join(' → ')}: no task of it could ever start`);
  }
  // A task that waits for a refused line would wait forever: refuse it too, naming why.
  for (let changed = true; changed;) {
    changed = false;
    const refusedIds = new Map(batch.filter((t) => refused.has(t.line)).map((t) => [t.id, t.line]));
    for (const t of batch) {
      if (refused.has(t.line)) continue;
      const dep = t.after.find((d) => refusedIds.has(d));
      if (dep !== undefined) {
        refused.set(
          t.line,
          `field "after": task "${dep}" (line ${refusedIds.get(dep)}) was refused, so this one could never start`,
        );
        changed = true;
      }
    }
  }
  return refused;
}

/** A path from `start` back to itself through `after` edges, or undefined. */
export function findCycle(
  start: string,
  node: (id: string) => DependencyNode | undefined,
): string[] | undefined {
  const seen = new Set<string>();
  const walk = (id: string, trail: string[]): string[] | undefined => {
    for (const dep of node(id)?.after ?? []) {
      if (dep === start) return [...trail, start];
      if (seen.has(dep)) continue;
      seen.add(dep);
      const found = walk(dep, [...trail, dep]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(start, [start]);
}

/** A dependency as the worker sees it when deciding whether a task may start. */
export interface DependencyView {
  state: TaskState;
  /** The record's outcome or reason, to say why it failed. */
  reason?: string;
}

export type DependencyStatus =
  | { kind: 'ready' }
  | { kind: 'waiting'; on: string[] }
  | { kind: 'dependency_failed'; on: string; reason: string };

/**
 * Whether a task's `after` condition holds: ready when every dependency is done, dependency_failed
 * as soon as one has failed (cancelled and dependency_failed included) or vanished, else waiting.
 * Pure; a chain fails link by link as each dependent is checked.
 */
export function dependencyStatus(
  after: readonly string[],
  lookup: (id: string) => DependencyView | undefined,
): DependencyStatus {
  const waiting: string[] = [];
  for (const id of after) {
    const dep = lookup(id);
    if (dep === undefined) {
      return {
        kind: 'dependency_failed',
        on: id,
        reason: `dependency_failed: task "${id}" it waits for is no longer known`,
      };
    }
    if (dep.state === 'failed') {
      return {
        kind: 'dependency_failed',
        on: id,
        reason: `dependency_failed: task "${id}" it waits for failed${dep.reason ? `: ${dep.reason}` : ''}`,
      };
    }
    if (dep.state !== 'done') waiting.push(id);
  }
  return waiting.length ? { kind: 'waiting', on: waiting } : { kind: 'ready' };
}

/**
 * A dependent's default worktree base: the head its dependency's branch ended at, so "write the
 * code → write the tests" continues one line of work. The last listed dependency in the same repo
 * that left a head wins; none: undefined (the repo's HEAD at claim).
 */
export function baseFromDependencies(
  after: readonly string[],
  repo: string,
  result: (id: string) => { repo?: string; headSha?: string } | undefined,
): string | undefined {
  for (const id of [...after].reverse()) {
    const r = result(id);
    if (r?.headSha && r.repo === repo) return r.headSha;
  }
  return undefined;
}
