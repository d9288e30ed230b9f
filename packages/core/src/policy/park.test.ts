import { describe, expect, it } from '@jest/globals';
import { PoliciesConfig } from '../config/schema.js';
import { defaultToolsConfig } from '../config/default-tools.js';
import { ToolsConfig } from '../config/schema.js';
import { classifyAttempt } from '../tool/classify.js';
import { decidePark, describePark, formatLocal } from './park.js';

const policy = PoliciesConfig.parse({}).limits;
const tools = ToolsConfig.parse(defaultToolsConfig()).tools;
// A fixed local time (the CLIs print host-local resets): 1 Dec 2026, 18:00.
const now = new Date(2026, 11, 1, 18, 0, 0);
const noJitter = () => 0;

function codexLimit(text: string) {
  const stdout = [
    JSON.stringify({ type: 'thread.started', thread_id: 't-1' }),
    JSON.stringify({ type: 'turn.failed', error: { message: text } }),
  ].join('\n');
  return classifyAttempt(
    'codex',
    tools.codex!,
    { exitCode: 1, signal: null, endReason: 'exited', stdout, stderr: '' },
    now,
  );
}

describe('decidePark', () => {
  it('parks codex until "try again at 7:05 PM" plus jitter', () => {
    const c = codexLimit('You\u2019ve hit your usage limit. … or try again at 7:05 PM.');
    const park = decidePark({
      tool: 'codex',
      classification: c,
      now,
      previousLimits: 0,
      policy,
      random: () => 0.5,
    });
    expect(park).toMatchObject({ kind: 'until', source: 'reset', limit: 'usage' });
    if (park?.kind !== 'until') throw new Error('no park');
    expect(park.until.getTime()).toBe(new Date(2026, 11, 1, 19, 5).getTime() + 30_000);
    expect(describePark('codex', park, now)).toMatch(
      /^codex {2}parked until 19:05 \(usage limit: codex turn failed: .*7:05 PM\.\)$/,
    );
  });

  it('a codex limit read just after its printed reset backs off briefly, not until the next day', () => {
    const late = new Date(2026, 11, 1, 19, 10);
    const stdout = [
      JSON.stringify({ type: 'thread.started', thread_id: 't-1' }),
      JSON.stringify({
        type: 'turn.failed',
        error: { message: 'You\u2019ve hit your usage limit. … or try again at 7:05 PM.' },
      }),
    ].join('\n');
    const c = classifyAttempt(
      'codex',
      tools.codex!,
      { exitCode: 1, signal: null, endReason: 'exited', stdout, stderr: '' },
      late,
    );
    expect(c).toMatchObject({ outcome: 'transient', limit: 'usage' });
    expect(c.resetAt).toBeUndefined();
    const park = decidePark({
      tool: 'codex',
      classification: c,
      now: late,
      previousLimits: 0,
      policy,
      random: noJitter,
    });
    expect(park).toMatchObject({ kind: 'until', source: 'backoff' });
    expect(park?.kind === 'until' && park.until.getTime() - late.getTime()).toBe(
      policy.backoffBaseSec * 1000,
    );
  });

  it('parks claude until "resets 6:52pm", and past midnight when the time has gone by today', () => {
    const stdout = JSON.stringify({
      type: 'result',
      is_error: true,
      api_error_status: 429,
      result: "You've hit your session limit · resets 6:52pm",
    });
    const at = (n: Date) =>
      classifyAttempt(
        'claude',
        tools.claude!,
        { exitCode: 1, signal: null, endReason: 'exited', stdout, stderr: '' },
        n,
      );
    const today = decidePark({
      tool: 'claude',
      classification: at(now),
      now,
      previousLimits: 0,
      policy,
      random: noJitter,
    });
    expect(today?.kind === 'until' && today.until.getTime()).toBe(new Date(2026, 11, 1, 18, 52).getTime());
    // Over half an hour past (less is read as the reset that just came: the next test).
    const late = new Date(2026, 11, 1, 19, 30);
    const tomorrow = decidePark({
      tool: 'claude',
      classification: at(late),
      now: late,
      previousLimits: 0,
      policy,
      random: noJitter,
    });
    expect(tomorrow?.kind === 'until' && tomorrow.until.getTime()).toBe(
      new Date(2026, 11, 2, 18, 52).getTime(),
    );
  });

  it('parks for days when the reset is days away (a weekly limit), not failing', () => {
    const c = codexLimit('You\u2019ve hit your usage limit. Try again at Dec 4th, 2026 8:13 AM.');
    const park = decidePark({
      tool: 'codex',
      classification: c,
      now,
      previousLimits: 0,
      policy,
      random: noJitter,
    });
    expect(park).toMatchObject({ kind: 'until', source: 'reset' });
    if (park?.kind !== 'until') throw new Error('no park');
    expect(park.until.getTime()).toBe(new Date(2026, 11, 4, 8, 13).getTime());
    expect(describePark('codex', park, now)).toMatch(/parked until Fri 4 Dec 08:13/);
  });

  it('caps a park at limits.maxParkHours', () => {
    const c = {
      outcome: 'transient' as const,
      limit: 'usage' as const,
      reason: 'usage limit',
      resetAt: new Date(2026, 11, 20).toISOString(),
    };
    const park = decidePark({
      tool: 'codex',
      classification: c,
      now,
      previousLimits: 0,
      policy: { ...policy, maxParkHours: 24 },
      random: noJitter,
    });
    expect(park).toMatchObject({ kind: 'until', source: 'cap' });
    expect(park?.kind === 'until' && park.until.getTime() - now.getTime()).toBe(24 * 3_600_000);
  });

  it('backs off exponentially without a reset, up to backoffMaxSec', () => {
    const c = { outcome: 'transient' as const, limit: 'rate' as const, reason: 'rate limit' };
    const waits = [0, 1, 2, 3, 10].map((n) => {
      const p = decidePark({
        tool: 'gemini',
        classification: c,
        now,
        previousLimits: n,
        policy,
        random: noJitter,
      });
      return p?.kind === 'until' ? (p.until.getTime() - now.getTime()) / 1000 : -1;
    });
    expect(waits).toEqual([60, 120, 240, 480, 3600]);
  });

  it('parks a failed login with no end, and leaves other failures alone', () => {
    const auth = decidePark({
      tool: 'claude',
      classification: { outcome: 'auth', reason: 'authentication: run claude /login' },
      now,
      previousLimits: 0,
      policy,
    });
    expect(auth).toEqual({ kind: 'login', reason: 'needs login: authentication: run claude /login' });
    expect(describePark('claude', auth!, now)).toMatch(/needs login .*retry --reset-breaker claude/);
    expect(
      decidePark({
        tool: 'codex',
        classification: { outcome: 'transient', reason: 'network' },
        now,
        previousLimits: 0,
        policy,
      }),
    ).toBeUndefined();
  });

  it('formats today as HH:MM and other days with the date', () => {
    expect(formatLocal(new Date(2026, 11, 1, 9, 5), now)).toBe('09:05');
    expect(formatLocal(new Date(2026, 11, 2, 0, 0), now)).toBe('Wed 2 Dec 00:00');
  });
});
