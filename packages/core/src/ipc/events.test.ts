import { describe, expect, it } from '@jest/globals';
import { CHILD_EVENTS, SUPERVISOR_EVENTS, parseChildEvent } from './events.js';

const RESERVED = [
  'start',
  'connect',
  'disconnect',
  'destroy',
  'close',
  'socket.disconnected',
  'error',
  'data',
];

describe('ipc events', () => {
  it('uses no node-ipc reserved name', () => {
    for (const name of [...CHILD_EVENTS, ...SUPERVISOR_EVENTS, 'hello']) expect(RESERVED).not.toContain(name);
  });
  it('refuses an event outside the allow-list', () => {
    expect(parseChildEvent('format-disk', {})).toEqual({
      ok: false,
      reason: 'event "format-disk" is not in the allow-list',
    });
    expect(parseChildEvent('constructor', {}).ok).toBe(false);
  });
  it('refuses a known event with a bad payload and accepts a good one', () => {
    expect(parseChildEvent('heartbeat', { component: 'worker', pid: 'x' }).ok).toBe(false);
    const good = parseChildEvent('heartbeat', {
      component: 'worker',
      pid: 12,
      at: 'now',
      running: [{ id: 't', attempt: 1, tool: 'git', pid: 13 }],
    });
    expect(good.ok).toBe(true);
  });
});
