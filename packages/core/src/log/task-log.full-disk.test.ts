import { afterAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mountSmallDisk, type SmallDisk } from '../fs/small-disk-kit.js';
import { openTaskLog } from './task-log.js';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'hl-fulltasklog-'));
const disk: SmallDisk | undefined = mountSmallDisk(path.join(base, 'disk'), 1);
const maybe = disk ? describe : describe.skip;
if (!disk) process.stderr.write('task-log.full-disk.test: skipped (needs Linux, root and mount -t tmpfs)\n');

maybe('task log on a full disk', () => {
  afterAll(() => {
    disk?.unmount();
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('costs the log, not the attempt: close resolves and the fault is said once', async () => {
    const d = disk as SmallDisk;
    const faults: unknown[] = [];
    const log = await openTaskLog(path.join(d.dir, 'logs', 'task_a.log'), {
      maxBytes: 8 * 1024 * 1024,
      onFault: (e) => faults.push(e),
    });
    d.fill();
    for (let i = 0; i < 2000; i++) log.line('stdout', `line ${i} ${'y'.repeat(500)}`);
    await expect(log.close()).resolves.toBeUndefined();
    expect(faults).toHaveLength(1);
    expect((faults[0] as NodeJS.ErrnoException).code).toBe('ENOSPC');
    d.unfill();
  });

  it('opens a log that writes nothing where the folder is read-only, instead of failing the attempt', async () => {
    const d = disk as SmallDisk;
    fs.mkdirSync(path.join(d.dir, 'ro'));
    d.remountReadOnly(true);
    try {
      const faults: unknown[] = [];
      const log = await openTaskLog(path.join(d.dir, 'ro', 'task_b.log'), {
        maxBytes: 1000,
        onFault: (e) => faults.push(e),
      });
      log.line('meta', 'nothing reaches the disk');
      await log.close();
      expect(faults.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['EROFS']);
    } finally {
      d.remountReadOnly(false);
    }
  });
});
