import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ToolsConfig } from '../config/schema.js';
import { defaultToolsConfig } from '../config/default-tools.js';
import {
  baseFromDependencies,
  checkDependencies,
  dependencyStatus,
  type DependencyNode,
  type DependencyView,
} from './dependencies.js';
import { validateTaskLine } from './validate.js';

const stored: Record<string, DependencyNode> = {
  old1: { id: 'old1', after: [] },
  old2: { id: 'old2', after: ['old1'] },
};
const known = (id: string) => stored[id];

describe('checkDependencies (intake)', () => {
  it('accepts ids from the store and from the same file, in any order', () => {
    const refused = checkDependencies(
      [
        { line: 1, id: 'b2', after: ['b1', 'old2'] },
        { line: 2, id: 'b1', after: [] },
      ],
      known,
    );
    expect(refused.size).toBe(0);
  });

  it('refuses unknown ids, naming them', () => {
    const refused = checkDependencies([{ line: 3, id: 'x', after: ['nope', 'old1', 'also-nope'] }], known);
    expect(refused.get(3)).toBe(
      'field "after": unknown task ids "nope", "also-nope": enqueue them first, or in the same file',
    );
  });

  it('refuses a cycle, naming its path, and what waits for it', () => {
    const refused = checkDependencies(
      [
        { line: 1, id: 'a1', after: ['a3'] },
        { line: 2, id: 'a2', after: ['a1'] },
        { line: 3, id: 'a3', after: ['a2'] },
        { line: 4, id: 'z', after: ['a2'] },
        { line: 5, id: 'ok', after: ['old1'] },
      ],
      known,
    );
    expect(refused.get(1)).toBe('field "after": a cycle a1 → a3 → a2 → a1: no task of it could ever start');
    expect(refused.get(2)).toMatch(/a cycle a2 → a1 → a3 → a2/);
    expect(refused.get(4)).toBe(
      'field "after": task "a2" (line 2) was refused, so this one could never start',
    );
    expect(refused.has(5)).toBe(false);
  });

  it('finds a cycle through a stored task (a rerun that would wait for its own dependent)', () => {
    const refused = checkDependencies([{ line: 1, id: 'old1', after: ['old2'] }], known);
    expect(refused.get(1)).toMatch(/a cycle old1 → old2 → old1/);
  });

  it('refuses a dependent of a line with an unknown id', () => {
    const refused = checkDependencies(
      [
        { line: 1, id: 'p', after: ['ghost'] },
        { line: 2, id: 'q', after: ['p'] },
      ],
      known,
    );
    expect([...refused.keys()]).toEqual([1, 2]);
  });
});

describe('dependencyStatus (worker)', () => {
  const states: Record<string, DependencyView> = {
    d: { state: 'done' },
    q: { state: 'queued' },
    p: { state: 'processing' },
    f: { state: 'failed', reason: 'exit code 3' },
    c: { state: 'failed', reason: 'cancelled by hand' },
  };
  const lookup = (id: string) => states[id];

  it('is ready with no dependencies or when all are done', () => {
    expect(dependencyStatus([], lookup)).toEqual({ kind: 'ready' });
    expect(dependencyStatus(['d'], lookup)).toEqual({ kind: 'ready' });
  });

  it('waits, naming what it waits for', () => {
    expect(dependencyStatus(['d', 'q', 'p'], lookup)).toEqual({ kind: 'waiting', on: ['q', 'p'] });
  });

  it('fails at once when one failed or was cancelled, naming which and why', () => {
    expect(dependencyStatus(['q', 'f'], lookup)).toEqual({
      kind: 'dependency_failed',
      on: 'f',
      reason: 'dependency_failed: task "f" it waits for failed: exit code 3',
    });
    expect(dependencyStatus(['c'], lookup)).toMatchObject({ kind: 'dependency_failed', on: 'c' });
    expect(dependencyStatus(['gone'], lookup)).toMatchObject({ kind: 'dependency_failed', on: 'gone' });
  });

  it('fails a chain link by link: a3 after a2 after a failed a1', () => {
    const chain: Record<string, DependencyView> = {
      a1: { state: 'failed', reason: 'exit 3' },
      a2: { state: 'queued' },
    };
    const s2 = dependencyStatus(['a1'], (id) => chain[id]);
    expect(s2.kind).toBe('dependency_failed');
    chain['a2'] = { state: 'failed', reason: s2.kind === 'dependency_failed' ? s2.reason : '' };
    expect(dependencyStatus(['a2'], (id) => chain[id])).toMatchObject({
      kind: 'dependency_failed',
      reason: expect.stringContaining(
        '"a2" it waits for failed: dependency_failed: task "a1"',
      ) as unknown as string,
    });
  });
});

describe('baseFromDependencies', () => {
  it("takes the head of the last dependency's branch in the same repo", () => {
    const results: Record<string, { repo: string; headSha?: string }> = {
      a: { repo: '/r', headSha: 'aaa' },
      b: { repo: '/other', headSha: 'bbb' },
      c: { repo: '/r' },
    };
    expect(baseFromDependencies(['a', 'b', 'c'], '/r', (id) => results[id])).toBe('aaa');
    expect(baseFromDependencies(['c'], '/r', (id) => results[id])).toBeUndefined();
  });
});

describe('task fields after, worktree, base', () => {
  const root = path.resolve('/work/root');
  const ctx = {
    root,
    tools: ToolsConfig.parse(defaultToolsConfig()).tools,
    allowedRoots: [root],
    maxLineBytes: 1000,
    realpath: (p: string) => p,
  };
  const reason = (line: string) => {
    const v = validateTaskLine(line, ctx);
    return v.ok ? 'ok' : v.reason;
  };

  it('accepts them and defaults after to none', () => {
    const v = validateTaskLine(
      '{"id":"t","tool":"git","args":["status"],"after":["a"],"worktree":true,"base":"v1.2"}',
      ctx,
    );
    expect(v).toMatchObject({ ok: true, spec: { after: ['a'], worktree: true, base: 'v1.2' } });
    const plain = validateTaskLine('{"id":"t","tool":"git","args":["status"]}', ctx);
    expect(plain.ok && plain.spec.after).toEqual([]);
    expect(plain.ok && plain.spec.worktree).toBeUndefined();
  });

  it.each([
    ['{"id":"t","tool":"git","after":["t"]}', 'field "after": task t cannot wait for itself'],
    ['{"id":"t","tool":"git","after":["a","a"]}', /field "after": .*without repeated ids/],
    ['{"id":"t","tool":"git","after":["a/b"]}', /field "after.0"/],
    [
      '{"id":"t","tool":"git","base":"--upload-pack=x"}',
      /field "base": a branch, tag or commit \(no leading "-"/,
    ],
    ['{"id":"t","tool":"git","base":"main","worktree":false}', /a base needs a worktree/],
  ])('refuses %s', (line, expected) => {
    if (typeof expected === 'string') expect(reason(line)).toBe(expected);
    else expect(reason(line)).toMatch(expected);
  });
});
