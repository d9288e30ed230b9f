import { afterAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mountSmallDisk, type SmallDisk } from '../fs/small-disk-kit.js';
import { waitFor } from '../process/test-kit.js';
import { Ledger, readLedger } from './ledger.js';

// A real full file system (a 2 MB tmpfs): the kernel's ENOSPC and short writes, not a simulation.
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'hl-fullledger-'));
const disk: SmallDisk | undefined = mountSmallDisk(path.join(base, 'disk'), 2);
const maybe = disk ? describe : describe.skip;
if (!disk) process.stderr.write('ledger.full-disk.test: skipped (needs Linux, root and mount -t tmpfs)\n');

maybe('Ledger on a full disk', () => {
  afterAll(() => {
    disk?.unmount();
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('holds records while full, writes them in order once there is room, and leaves no torn line', async () => {
    const d = disk as SmallDisk;
    const notes: string[] = [];
    const ledger = new Ledger(path.join(d.dir, 'logs', 'ledger.jsonl'), {
      say: (m) => notes.push(m),
      probeBaseMs: 50,
    });
    await ledger.append({ event: 'worker.start', reason: 'before' });
    d.fill();
    const big = 'r'.repeat(3000);
    const appends = Array.from({ length: 50 }, (_, i) =>
      ledger.append({ event: 'task.queued', task: `t${i}`, reason: big }),
    );
    let settled = 0;
    for (const a of appends) void a.then(() => settled++);
    await waitFor('the ledger to report the full disk', () => notes.some((n) => /cannot write/.test(n)));
    expect(ledger.healthy).toBe(false);
    // A span on purpose: shows that appends stay pending (not lost, not failed) while the disk is full.
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBeLessThan(50);
    d.unfill();
    await Promise.all(appends);
    expect(notes.filter((n) => /cannot write/.test(n))).toHaveLength(1);
    expect(notes.some((n) => /work again/.test(n))).toBe(true);
    await ledger.close();
    const { records, skipped } = await readLedger(ledger.file);
    expect(skipped).toEqual([]);
    expect(records.map((r) => r.task ?? r.reason)).toEqual([
      'before',
      ...Array.from({ length: 50 }, (_, i) => `t${i}`),
    ]);
  });

  it('close() does not wait for the disk: what it cannot write is rejected', async () => {
    const d = disk as SmallDisk;
    const ledger = new Ledger(path.join(d.dir, 'logs', 'ledger2.jsonl'), { say: () => undefined });
    await ledger.append({ event: 'worker.start' });
    d.fill();
    const held = ledger.append({ event: 'worker.stop', reason: 'x'.repeat(20000) });
    held.catch(() => undefined);
    await waitFor('the ledger to notice', () => !ledger.healthy);
    await ledger.close();
    await expect(held).rejects.toThrow(/ENOSPC|short write/);
    d.unfill();
    const { skipped } = await readLedger(ledger.file);
    expect(skipped).toEqual([]);
  });
});
