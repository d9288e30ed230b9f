import { describe, expect, it } from '@jest/globals';
import type { LoadedConfig } from '@headless/core/config/load';
import type { ConfigWatchOptions } from '@headless/core/config/watch';
import type { Component } from '@headless/core/ipc/events';
import { layout } from '@headless/core/paths';
import { enabledLoops, NO_LOOP_REASON, startOnDemand, startsNow } from './on-demand.js';

const loop = (enabled?: boolean) => ({
  ...(enabled === undefined ? {} : { enabled }),
  intervalSec: 60,
  jitter: 0,
  repos: ['.'],
  steps: [{ tool: 'git', args: ['status'] }],
});
const config = (loops: Record<string, unknown>) =>
  ({ tools: { loops }, policies: {} }) as unknown as LoadedConfig;

function fakeSlot(component: Component) {
  return {
    component,
    status: {} as { reason?: string },
    starts: 0,
    start() {
      this.starts += 1;
    },
  };
}

function harness(initial: LoadedConfig) {
  const slots = [fakeSlot('worker'), fakeSlot('orchestrator')];
  const watched: ConfigWatchOptions[] = [];
  let closed = 0;
  const messages: string[] = [];
  const log = { info: (m: string) => messages.push(m), warn: (m: string) => messages.push(m) };
  const handle = startOnDemand({
    layout: layout('/root'),
    config: initial,
    slots,
    log: log as never,
    writer: { mark: () => {} },
    watch: (o) => {
      watched.push(o);
      return { check: async () => {}, refused: undefined, close: () => (closed += 1) };
    },
  });
  return { worker: slots[0]!, orch: slots[1]!, watched, closed: () => closed, handle, messages };
}

describe('enabledLoops / startsNow', () => {
  it('counts loops unless they say "enabled": false', () => {
    expect(enabledLoops(config({ a: loop(), b: loop(false), c: loop(true) }).tools)).toEqual(['a', 'c']);
    expect(enabledLoops(config({}).tools)).toEqual([]);
  });

  it('always starts the worker, the orchestrator only with an enabled loop', () => {
    expect(startsNow('worker', config({}).tools)).toBe(true);
    expect(startsNow('orchestrator', config({}).tools)).toBe(false);
    expect(startsNow('orchestrator', config({ off: loop(false) }).tools)).toBe(false);
    expect(startsNow('orchestrator', config({ on: loop() }).tools)).toBe(true);
  });
});

describe('startOnDemand', () => {
  it('starts both at once when a loop is enabled, and watches nothing', () => {
    const h = harness(config({ on: loop() }));
    expect([h.worker.starts, h.orch.starts]).toEqual([1, 1]);
    expect(h.orch.status.reason).toBeUndefined();
    expect(h.watched).toHaveLength(0);
  });

  it('leaves the orchestrator unforked with the reason status shows, until a change enables a loop', () => {
    const h = harness(config({ off: loop(false) }));
    expect([h.worker.starts, h.orch.starts]).toEqual([1, 0]);
    expect(h.orch.status.reason).toBe(NO_LOOP_REASON);
    expect(h.watched).toHaveLength(1);

    h.watched[0]!.onChange(config({ off: loop(false), other: loop(false) }));
    expect(h.orch.starts).toBe(0);
    expect(h.closed()).toBe(0);

    h.watched[0]!.onChange(config({ off: loop(true) }));
    expect(h.orch.starts).toBe(1);
    expect(h.orch.status.reason).toBeUndefined();
    expect(h.closed()).toBe(1);
    expect(h.messages.some((m) => m.includes('config enables off'))).toBe(true);

    // Started once: later changes do not fork it again (the slot restarts it itself when it dies).
    h.watched[0]!.onChange(config({ off: loop(true), more: loop() }));
    expect(h.orch.starts).toBe(1);
  });

  it('stops watching when the tree stops', () => {
    const h = harness(config({}));
    h.handle.close();
    expect(h.closed()).toBe(1);
  });
});
