import { describe, expect, it } from '@jest/globals';
import { breakerOpenedEvent, toolParkEvent } from './tool-events.js';

const at = { root: '/r', at: '2026-12-02T05:00:00.000Z' };

describe('tool events', () => {
  it('a usage limit is tool.parked with its end; a login park points at the reset', () => {
    expect(
      toolParkEvent(
        'codex',
        { kind: 'limit', until: '2026-12-02T08:00:00.000Z', reason: 'usage limit', since: at.at, task: 't1' },
        at,
      ),
    ).toEqual({
      v: 1,
      event: 'tool.parked',
      ...at,
      tool: 'codex',
      reason: 'usage limit',
      until: '2026-12-02T08:00:00.000Z',
      task: 't1',
      next: 'headless status',
    });
    const login = toolParkEvent('claude', { kind: 'login', reason: 'not logged in', since: at.at }, at);
    expect(login).toMatchObject({ event: 'tool.parked', next: 'headless retry --reset-breaker claude' });
    expect(login).not.toHaveProperty('until');
  });

  it('a spent budget is budget.reached', () => {
    const ev = toolParkEvent(
      'claude',
      {
        kind: 'budget',
        until: '2026-12-03T00:00:00.000Z',
        reason: 'budget: $1.20 of $1.00 spent today',
        since: at.at,
      },
      at,
    );
    expect(ev).toMatchObject({ event: 'budget.reached', tool: 'claude', until: '2026-12-03T00:00:00.000Z' });
  });

  it('a breaker opening names its last failure, its end and the reset', () => {
    expect(
      breakerOpenedEvent(
        'gemini',
        { state: 'open', openUntil: '2026-12-02T05:05:00.000Z', recentFailures: 3, lastReason: 'rate limit' },
        at,
      ),
    ).toEqual({
      v: 1,
      event: 'breaker.opened',
      ...at,
      tool: 'gemini',
      reason: 'rate limit',
      until: '2026-12-02T05:05:00.000Z',
      next: 'headless retry --reset-breaker gemini',
    });
    expect(breakerOpenedEvent('git', { state: 'open', recentFailures: 5 }, at).reason).toBe(
      '5 failures in a row',
    );
  });
});
