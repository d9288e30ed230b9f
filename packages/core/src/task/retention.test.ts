import { describe, expect, it } from '@jest/globals';
import { selectPrunable } from './retention.js';

describe('selectPrunable', () => {
  const now = Date.parse('2026-12-01T00:00:00Z');
  const day = 86_400_000;
  const at = (daysAgo: number) => new Date(now - daysAgo * day).toISOString();

  it('selects only finished records older than the retention, never a live task', () => {
    const ids = selectPrunable(
      [
        { id: 'old-done', state: 'done', updatedAt: at(20) },
        { id: 'old-failed', state: 'failed', updatedAt: at(15) },
        { id: 'new-done', state: 'done', updatedAt: at(3) },
        { id: 'old-queued', state: 'queued', updatedAt: at(90) },
        { id: 'old-running', state: 'processing', updatedAt: at(90) },
        { id: 'old-parked', state: 'quarantine', updatedAt: at(90) },
        { id: 'bad-time', state: 'done', updatedAt: 'yesterday' },
      ],
      { retentionDays: 14, now },
    );
    expect(ids).toEqual(['old-done', 'old-failed']);
  });

  it('keeps a record exactly at the cutoff', () => {
    expect(
      selectPrunable([{ id: 'edge', state: 'done', updatedAt: at(14) }], { retentionDays: 14, now }),
    ).toEqual([]);
  });
});
