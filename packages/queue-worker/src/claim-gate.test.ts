import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '@headless/test-support/wait-for';
import { mountSmallDisk } from '@headless/test-support/small-disk';
import type { LedgerRecord } from '@headless/core/ledger/record';
import { silentLogger } from './logger.js';
import { ClaimGate, readClaimGate } from './claim-gate.js';

const MB = 1024 * 1024;

describe('ClaimGate', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hl-gate-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function gate(over: { free: () => number; min: () => number; probe?: () => { ok: boolean } }) {
    const events: Omit<LedgerRecord, 'v' | 'ts'>[] = [];
    let now = 1_000_000;
    let resumed = 0;
    const g = new ClaimGate({
      runDir: dir,
      diskDir: dir,
      ledger: { append: (r) => (events.push(r), Promise.resolve()) },
      log: silentLogger,
      minFreeMb: over.min,
      checkIntervalMs: 60_000,
      clock: { now: () => now },
      readFree: () => Promise.resolve({ freeBytes: over.free(), volume: '/home' }),
      ...(over.probe ? { probe: over.probe } : {}),
      probeBaseMs: 10,
      onResume: () => resumed++,
    });
    return { g, events, tick: (ms: number) => (now += ms), resumed: () => resumed };
  }

  it('stops claiming below minFreeMb, says why in the state file and ledger, and resumes when the limit is lowered', async () => {
    let min = 500;
    const { g, events, tick, resumed } = gate({ free: () => 312 * MB, min: () => min });
    await g.start();
    expect(await g.mayClaim()).toBe(false);
    const state = await readClaimGate(dir);
    expect(state).toMatchObject({
      paused: true,
      freeMb: 312,
      minFreeMb: 500,
      reasons: ['low disk: 312 MB free on /home, need 500 (policies.disk.minFreeMb)'],
    });
    expect(events).toEqual([
      expect.objectContaining({ event: 'worker.paused', reason: expect.stringMatching(/^low disk: 312 MB/) }),
    ]);
    // Asked again within a second: the reading is reused, nothing new is said.
    expect(await g.mayClaim()).toBe(false);
    expect(events).toHaveLength(1);
    min = 100;
    tick(1500);
    expect(await g.mayClaim()).toBe(true);
    expect(events.at(-1)).toMatchObject({ event: 'worker.resumed' });
    expect(resumed()).toBe(1);
    expect(await readClaimGate(dir)).toMatchObject({ paused: false, reasons: [] });
    await g.stop();
  });

  it('says a pause once, however the free space moves while it lasts', async () => {
    let free = 300 * MB;
    const { g, events, tick } = gate({ free: () => free, min: () => 500 });
    await g.start();
    for (let i = 0; i < 5; i++) {
      free -= MB;
      tick(2000);
      await g.mayClaim();
    }
    expect(events.filter((e) => e.event === 'worker.paused')).toHaveLength(1);
    expect((await readClaimGate(dir))?.freeMb).toBe(295);
    await g.stop();
  });

  it('pauses on a disk fault until a probe write works, and ignores other errors', async () => {
    let writable = false;
    const { g, events } = gate({ free: () => 10_000 * MB, min: () => 500, probe: () => ({ ok: writable }) });
    await g.start();
    expect(await g.mayClaim()).toBe(true);
    expect(g.reportWriteFault(Object.assign(new Error('EISDIR'), { code: 'EISDIR' }))).toBe(false);
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    expect(g.reportWriteFault(enospc)).toBe(true);
    expect(g.reportWriteFault(enospc)).toBe(true);
    expect(await g.mayClaim()).toBe(false);
    expect(events.filter((e) => e.event === 'worker.paused')).toHaveLength(1);
    let released = false;
    void g.whenWritable().then(() => (released = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(released).toBe(false);
    writable = true;
    await waitFor('the probe to find the disk writable', async () => await g.mayClaim());
    expect(events.at(-1)).toMatchObject({ event: 'worker.resumed' });
    expect(released).toBe(true);
    await g.stop();
  });
});

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'hl-gate-disk-'));
const disk = mountSmallDisk(path.join(base, 'disk'), 1);
(disk ? describe : describe.skip)('ClaimGate on a real full disk', () => {
  afterEach(() => {
    disk?.unmount();
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('still updates the state file status reads when not one more byte fits', async () => {
    const d = disk as NonNullable<typeof disk>;
    let now = Date.now();
    const runDir = path.join(d.dir, '.tasks', 'run');
    const g = new ClaimGate({
      runDir,
      diskDir: d.dir,
      ledger: { append: () => Promise.resolve() },
      log: silentLogger,
      minFreeMb: () => 1,
      checkIntervalMs: 60_000,
      clock: { now: () => now },
    });
    await g.start();
    expect(await g.mayClaim()).toBe(true);
    d.fill();
    // Past the reuse window of the last free-space reading, so the next claim reads it again.
    now += 1100;
    expect(await g.mayClaim()).toBe(false);
    const state = await readClaimGate(runDir);
    expect(state?.paused).toBe(true);
    expect(state?.reasons[0]).toMatch(/^low disk: 0 MB free on .*disk, need 1/);
    await g.stop();
  });
});
