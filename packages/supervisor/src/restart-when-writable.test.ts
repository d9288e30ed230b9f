import { describe, expect, it } from '@jest/globals';
import type { ChildRunState } from './state-file.js';
import { RestartWhenWritable, type ParkedSlot } from './restart-when-writable.js';

function slot(component: string, state: ChildRunState): ParkedSlot & { restarts: number } {
  return {
    component,
    status: { state },
    restarts: 0,
    restartNow() {
      this.restarts++;
      return true;
    },
  };
}

describe('RestartWhenWritable', () => {
  it('restarts parked children as soon as a failing disk takes writes again, once', () => {
    let now = 0;
    let ok = false;
    const said: string[] = [];
    const worker = slot('worker', 'crash-looping');
    const orch = slot('orchestrator', 'running');
    const r = new RestartWhenWritable({
      dir: '/x',
      slots: () => [worker, orch],
      say: (m) => said.push(m),
      now: () => now,
      probe: () =>
        ok ? { ok: true } : { ok: false, error: Object.assign(new Error('full'), { code: 'ENOSPC' }) },
    });
    for (let i = 0; i < 5; i++, now += 2000) r.check();
    expect(worker.restarts).toBe(0);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/ENOSPC/);
    ok = true;
    r.check();
    expect(worker.restarts).toBe(1);
    expect(orch.restarts).toBe(0);
    now += 2000;
    r.check();
    expect(worker.restarts).toBe(1);
  });

  it('does not probe for a child in an ordinary backoff', () => {
    let probes = 0;
    const r = new RestartWhenWritable({
      dir: '/x',
      slots: () => [slot('worker', 'backoff')],
      say: () => undefined,
      probe: () => (probes++, { ok: true }),
    });
    r.check();
    expect(probes).toBe(0);
  });

  it('leaves a child parked for another reason alone (the disk never failed)', () => {
    const worker = slot('worker', 'crash-looping');
    const r = new RestartWhenWritable({
      dir: '/x',
      slots: () => [worker],
      say: () => undefined,
      probe: () => ({ ok: true }),
    });
    r.check();
    expect(worker.restarts).toBe(0);
  });
});
