import { describe, expect, it } from '@jest/globals';
import { BatchTracker, taskEndEvent } from './task-events.js';

const ctx = { root: '/r', at: '2026-12-01T08:00:00.000Z' };

describe('taskEndEvent', () => {
  it('gives task.failed for a failure and task.attention for blocked, suspect and dependency_failed', () => {
    expect(taskEndEvent({ id: 'a', state: 'failed', reason: 'exit code 3', tool: 'git' }, ctx)).toEqual({
      v: 1,
      event: 'task.failed',
      at: ctx.at,
      root: '/r',
      task: 'a',
      tool: 'git',
      reason: 'exit code 3',
      next: 'headless retry a',
    });
    expect(taskEndEvent({ id: 'b', state: 'failed', reason: 'blocked on input: ...' }, ctx)?.event).toBe(
      'task.attention',
    );
    expect(taskEndEvent({ id: 'c', state: 'done', suspect: '2 permission denials' }, ctx)).toMatchObject({
      event: 'task.attention',
      reason: '2 permission denials',
      next: 'headless show c',
    });
    expect(taskEndEvent({ id: 'd', state: 'failed', outcome: 'dependency_failed' }, ctx)?.next).toBe(
      'headless retry --failed',
    );
  });

  it('gives nothing for a clean success or a cancel', () => {
    expect(taskEndEvent({ id: 'a', state: 'done' }, ctx)).toBeUndefined();
    expect(taskEndEvent({ id: 'a', state: 'failed', outcome: 'cancelled' }, ctx)).toBeUndefined();
  });
});

describe('BatchTracker', () => {
  it('gives batch.done with the ids and counts once every task of the file has ended', () => {
    const b = new BatchTracker();
    b.add('night.jsonl', ['a1', 'a2']);
    b.add('night.jsonl', ['a3']);
    b.add('other.jsonl', ['x']);
    expect(b.ended('a1', 'done', ctx)).toBeUndefined();
    expect(b.ended('a2', 'failed', ctx)).toBeUndefined();
    expect(b.ended('a3', 'done', ctx)).toEqual({
      v: 1,
      event: 'batch.done',
      at: ctx.at,
      root: '/r',
      file: 'night.jsonl',
      tasks: ['a1', 'a2', 'a3'],
      counts: { done: 2, failed: 1 },
    });
    expect(b.ended('a3', 'done', ctx)).toBeUndefined();
    expect(b.ended('unknown', 'done', ctx)).toBeUndefined();
  });
});
