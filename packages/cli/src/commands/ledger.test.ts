import { describe, expect, it } from '@jest/globals';
import type { LedgerRecord } from '@headless/core/ledger/record';
import { ledgerFilter } from './ledger.js';

const NOW = Date.parse('2026-12-01T08:00:00Z');
const rec = (over: Partial<LedgerRecord>): LedgerRecord => ({
  v: 1,
  ts: '2026-12-01T07:59:00Z',
  event: 'attempt.end',
  ...over,
});
const records = [
  rec({ task: 'a', outcome: 'success' }),
  rec({ task: 'b', outcome: 'permanent', reason: 'exit code 3' }),
  rec({ task: 'b', event: 'task.failed' }),
  rec({ task: 'c', event: 'task.retry', ts: '2026-11-30T08:00:00Z' }),
];
const pick = (o: Parameters<typeof ledgerFilter>[0]) =>
  records.filter(ledgerFilter(o, NOW)).map((r) => `${r.task} ${r.event}`);

describe('ledger filters', () => {
  it('selects failed attempts and tasks, events, a window and a task', () => {
    expect(pick({ failed: true })).toEqual(['b attempt.end', 'b task.failed']);
    expect(pick({ event: 'task.retry, task.failed' })).toEqual(['b task.failed', 'c task.retry']);
    expect(pick({ sinceMs: 3600_000 })).toEqual(['a attempt.end', 'b attempt.end', 'b task.failed']);
    expect(pick({ task: 'c' })).toEqual(['c task.retry']);
  });
});
