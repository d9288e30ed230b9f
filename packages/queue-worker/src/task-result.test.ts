import { describe, expect, it } from '@jest/globals';
import { nextTaskResult } from './task-result.js';

const facts = {
  outcome: 'success',
  exitCode: 0,
  durationMs: 1000,
  logPath: '/r/logs/task_t.log',
};

describe('nextTaskResult', () => {
  it('sums usage and duration over attempts and keeps the last final message and session', () => {
    const first = nextTaskResult(
      {},
      {
        ...facts,
        outcome: 'transient',
        exitCode: 1,
        classification: { usage: { inputTokens: 10, costUsd: 0.5 }, sessionId: 's1' },
      },
    );
    const second = nextTaskResult(
      { result: first },
      {
        ...facts,
        classification: { usage: { inputTokens: 5, outputTokens: 2 }, finalMessage: 'all done' },
      },
    );
    expect(second).toMatchObject({
      durationMs: 2000,
      exitCode: 0,
      outcome: 'success',
      sessionId: 's1',
      finalMessage: 'all done',
      usage: { inputTokens: 15, outputTokens: 2, costUsd: 0.5 },
    });
  });

  it('a suspect of an earlier attempt does not stick to a clean later one', () => {
    const a = nextTaskResult({}, { ...facts, classification: { suspect: 'permission denials' } });
    expect(a.suspect).toBe('permission denials');
    expect(nextTaskResult({ result: a }, { ...facts, classification: {} }).suspect).toBeUndefined();
  });
});
