import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { PoliciesConfig } from '../config/schema.js';
import { ToolBreakers, type BreakersSnapshot } from './tool-breakers.js';

const policy = { ...PoliciesConfig.parse({}).breaker, failures: 3, windowSec: 60, openSec: 120 };
const fail = () => Promise.resolve('bad');
const ok = () => Promise.resolve('ok');
const isFailure = (v: string) => (v === 'bad' ? 'rate limit' : undefined);

describe('ToolBreakers', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-11-25T10:00:00Z') });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('opens after N failures within the window, refuses while open, half-opens after the open period', async () => {
    const b = new ToolBreakers(policy);
    for (let i = 0; i < 3; i++) expect((await b.execute('claude', fail, isFailure)).ran).toBe(true);
    expect(b.view('claude')).toMatchObject({ state: 'open', lastReason: 'rate limit' });
    expect(await b.execute('claude', ok, isFailure)).toEqual({
      ran: false,
      openUntil: '2026-11-25T10:02:00.000Z',
    });
    expect(b.view('git').state).toBe('closed');
    jest.setSystemTime(new Date('2026-11-25T10:02:01Z'));
    expect(b.view('claude').state).toBe('half-open');
    expect(await b.execute('claude', ok, isFailure)).toEqual({ ran: true, value: 'ok' });
    expect(b.view('claude').state).toBe('closed');
  });

  it('does not open when failures are spread wider than the window', async () => {
    const b = new ToolBreakers(policy);
    for (let i = 0; i < 5; i++) {
      await b.execute('codex', fail, isFailure);
      jest.setSystemTime(Date.now() + 31000);
    }
    expect(b.view('codex').state).toBe('closed');
  });

  it('keeps an open breaker open across a restart (snapshot round trip)', async () => {
    let saved: BreakersSnapshot = {};
    const b = new ToolBreakers(policy, { onChange: (s) => (saved = s) });
    for (let i = 0; i < 3; i++) await b.execute('claude', fail, isFailure);
    const restored = new ToolBreakers(policy, {
      initial: JSON.parse(JSON.stringify(saved)) as BreakersSnapshot,
    });
    expect(restored.view('claude').state).toBe('open');
    expect((await restored.execute('claude', ok, isFailure)).ran).toBe(false);
  });

  it('tells onOpen once when a closed breaker opens, not when a failed trial re-opens it or a restart restores it', async () => {
    const opened: Array<{ tool: string; state: string; openUntil?: string; lastReason?: string }> = [];
    let saved: BreakersSnapshot = {};
    const b = new ToolBreakers(policy, {
      onOpen: (tool, v) => opened.push({ tool, ...v }),
      onChange: (s) => (saved = s),
    });
    for (let i = 0; i < 3; i++) await b.execute('claude', fail, isFailure);
    expect(opened).toEqual([
      {
        tool: 'claude',
        state: 'open',
        openUntil: '2026-11-25T10:02:00.000Z',
        lastReason: 'rate limit',
        recentFailures: 3,
      },
    ]);
    const restored = new ToolBreakers(policy, {
      initial: JSON.parse(JSON.stringify(saved)) as BreakersSnapshot,
      onOpen: (tool) => opened.push({ tool, state: 'restored' }),
    });
    expect(restored.view('claude').state).toBe('open');
    jest.setSystemTime(new Date('2026-11-25T10:02:01Z'));
    // The half-open trial fails: open again, the same episode.
    await b.execute('claude', fail, isFailure);
    expect(b.view('claude').state).toBe('open');
    expect(opened).toHaveLength(1);
    // Closed by a success, then opened anew: a second episode.
    jest.setSystemTime(new Date('2026-11-25T10:04:02Z'));
    await b.execute('claude', ok, isFailure);
    expect(b.view('claude').state).toBe('closed');
    for (let i = 0; i < 3; i++) await b.execute('claude', fail, isFailure);
    expect(opened.map((o) => o.tool)).toEqual(['claude', 'claude']);
  });
});
