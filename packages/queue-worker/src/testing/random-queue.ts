import type { TaskRecord } from '@headless/core/task/record';

/** A small seeded generator (mulberry32): the property tests replay the same queues on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;

const ID_CHARS = ['a', 'B', 'b', 'A', '1', '9', '-', '_', '.', 'z', 'Z'];

/**
 * A queued record with fields drawn to collide often: few priorities, few enqueue times (so the
 * id decides), ids mixing case and punctuation (the order compares them with localeCompare), a
 * `notBefore` before or after `now` or none.
 */
export function randomRecord(
  rnd: () => number,
  id: string,
  opts: { tools: readonly string[]; repos: readonly string[]; now: number },
): TaskRecord {
  const notBefore =
    rnd() < 0.3 ? new Date(opts.now + Math.round((rnd() - 0.5) * 10_000)).toISOString() : undefined;
  const after = rnd() < 0.15 ? [`dep-${Math.floor(rnd() * 3)}`] : [];
  return {
    id,
    spec: {
      id,
      tool: pick(rnd, opts.tools),
      repo: pick(rnd, opts.repos),
      priority: pick(rnd, [0, 0, 0, 1, 5, -2]),
      after,
    },
    state: 'queued',
    attempts: 0,
    crashes: 0,
    enqueuedAt: new Date(1_000_000 + Math.floor(rnd() * 4) * 1000).toISOString(),
    updatedAt: '',
    rev: 1,
    history: [],
    ...(notBefore ? { notBefore } : {}),
  } as unknown as TaskRecord;
}

/** Distinct random ids (ids are unique in a store). */
export function randomIds(rnd: () => number, n: number): string[] {
  const ids = new Set<string>();
  while (ids.size < n) {
    const len = 1 + Math.floor(rnd() * 4);
    let id = '';
    for (let i = 0; i < len; i++) id += pick(rnd, ID_CHARS);
    ids.add(`t${id}`);
  }
  return [...ids];
}
