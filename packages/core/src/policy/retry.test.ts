import { describe, expect, it } from '@jest/globals';
import { PoliciesConfig } from '../config/schema.js';
import { decideRetry, retryDelayBounds, retryDelayMs } from './retry.js';

const base = PoliciesConfig.parse({}).retry;

describe('retry policy', () => {
  it.each(['none', 'full', 'half', 'decorrelated'] as const)(
    'keeps %s-jitter delays within their bounds',
    (jitter) => {
      const policy = { ...base, jitter, baseDelayMs: 1000, maxDelayMs: 60000 };
      for (let attempt = 1; attempt <= 6; attempt++) {
        const { min, max } = retryDelayBounds(policy, attempt);
        for (let i = 0; i < 200; i++) {
          const d = retryDelayMs(policy, attempt);
          expect(d).toBeGreaterThanOrEqual(min);
          expect(d).toBeLessThanOrEqual(max);
        }
      }
    },
  );

  it('grows exponentially without jitter and stops at the cap', () => {
    const policy = { ...base, jitter: 'none' as const, baseDelayMs: 1000, maxDelayMs: 5000 };
    expect([1, 2, 3, 4].map((a) => retryDelayMs(policy, a))).toEqual([1000, 2000, 4000, 5000]);
  });

  it('fails a permanent error at once and an exhausted task after its last attempt', () => {
    const now = new Date('2026-11-25T10:00:00Z');
    expect(decideRetry({ retryable: false, attempt: 1, maxAttempts: 3, now, policy: base }).action).toBe(
      'fail',
    );
    expect(decideRetry({ retryable: true, attempt: 3, maxAttempts: 3, now, policy: base })).toEqual({
      action: 'fail',
      why: 'attempts exhausted (3 of 3)',
    });
  });

  it('waits for a reset time the tool printed, plus a little jitter', () => {
    const now = new Date('2026-11-25T10:00:00Z');
    const d = decideRetry({
      retryable: true,
      resetAt: '2026-11-25T10:30:00Z',
      attempt: 1,
      maxAttempts: 3,
      now,
      policy: base,
    });
    expect(d.action).toBe('retry');
    if (d.action !== 'retry') return;
    expect(d.notBefore.getTime()).toBeGreaterThanOrEqual(Date.parse('2026-11-25T10:30:00Z'));
    expect(d.notBefore.getTime()).toBeLessThanOrEqual(Date.parse('2026-11-25T10:30:30Z'));
  });

  it('fails instead of parking for days when the reset is beyond the configured wait', () => {
    const now = new Date('2026-11-25T10:00:00Z');
    const d = decideRetry({
      retryable: true,
      resetAt: '2026-11-28T10:00:00Z',
      attempt: 1,
      maxAttempts: 3,
      now,
      policy: base,
    });
    expect(d.action).toBe('fail');
  });
});
