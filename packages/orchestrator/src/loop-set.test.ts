import { describe, expect, it } from '@jest/globals';
import { ToolsConfig, type LoopSpec } from '@headless/core/config/schema';
import { LoopSet, loopChanges } from './loop-set.js';

const loops = (raw: Record<string, unknown>) => ToolsConfig.parse({ tools: {}, loops: raw }).loops;
const spec = (over: Record<string, unknown> = {}) => ({
  intervalSec: 60,
  repos: ['.'],
  steps: [{ tool: 'git', args: ['status'] }],
  ...over,
});

describe('loopChanges', () => {
  it('stops disabled, removed and edited loops; starts new, enabled and edited ones; leaves the rest', () => {
    const running = new Map<string, LoopSpec>(
      Object.entries(loops({ Same: spec(), Edited: spec(), Off: spec(), Gone: spec() })),
    );
    const next = loops({
      Same: spec(),
      Edited: spec({ intervalSec: 5 }),
      Off: spec({ enabled: false }),
      New: spec(),
    });
    expect(loopChanges(running, next)).toEqual({ stop: ['Edited', 'Off', 'Gone'], start: ['Edited', 'New'] });
  });
});

describe('LoopSet', () => {
  it('starts an edited loop only after its old run has ended, and settles once every loop has', async () => {
    const events: string[] = [];
    const ends = new Map<string, () => void>();
    const set = new LoopSet(async (name, s, retire) => {
      const tag = `${name}@${s.intervalSec}`;
      events.push(`start ${tag}`);
      await new Promise<void>((resolve) => ends.set(tag, resolve));
      events.push(`end ${tag}${retire.aborted ? ' (retired)' : ''}`);
    });
    set.apply(loops({ A: spec() }));
    await Promise.resolve();
    set.apply(loops({ A: spec({ intervalSec: 5 }) }));
    await new Promise((r) => setImmediate(r));
    // The new A waits for the old one's run to end: never two runs of one loop.
    expect(events).toEqual(['start A@60']);
    ends.get('A@60')!();
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['start A@60', 'end A@60 (retired)', 'start A@5']);
    let settled = false;
    void set.settled().then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    ends.get('A@5')!();
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(true);
    expect(set.names()).toEqual(['A']);
  });
});
