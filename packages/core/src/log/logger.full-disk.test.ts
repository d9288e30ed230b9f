import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mountSmallDisk, type SmallDisk } from '../fs/small-disk-kit.js';
import { waitFor } from '../process/test-kit.js';
import { layout } from '../paths.js';
import { closeLogger, createLogger } from './logger.js';

// A real full file system (a 2 MB tmpfs): ENOSPC comes from the kernel, through file-stream-rotator.
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'hl-fulllog-'));
const disk: SmallDisk | undefined = mountSmallDisk(path.join(base, 'disk'), 2);
const maybe = disk ? describe : describe.skip;
if (!disk) process.stderr.write('logger.full-disk.test: skipped (needs Linux, root and mount -t tmpfs)\n');

maybe('createLogger on a full disk', () => {
  afterAll(() => {
    disk?.unmount();
    fs.rmSync(base, { recursive: true, force: true });
  });
  beforeAll(() => undefined);

  it('says so once, keeps the process running, and writes again once space is back', async () => {
    const d = disk as SmallDisk;
    const l = layout(path.join(d.dir, 'root'));
    const notes: string[] = [];
    const log = createLogger({
      layout: l,
      component: 'worker',
      notify: (m) => notes.push(m),
      probeBaseMs: 50,
      logs: { maxSize: '256k', maxFiles: 50, retentionDays: 14, level: 'info' },
    });
    log.info('before the disk filled');
    // The record is on disk before the disk fills (what was written must survive the outage).
    await waitFor(
      'the first record to reach the file',
      () =>
        fs.existsSync(l.logsDir) &&
        fs
          .readdirSync(l.logsDir)
          .filter((n) => n.startsWith('worker-'))
          .some((n) => fs.readFileSync(path.join(l.logsDir, n), 'utf8').includes('before the disk filled')),
      10_000,
    );
    d.fill();
    // Enough to overrun every buffer and force rotations (which create files) while full.
    const line = 'x'.repeat(1000);
    for (let i = 0; i < 3000; i++) log.info(`flood ${i} ${line}`);
    await waitFor('the logger to report the full disk', () => notes.some((n) => /ENOSPC/.test(n)), 10_000);
    for (let i = 0; i < 500; i++) log.info(`still full ${i} ${line}`);
    // A span on purpose: gives further failing writes the chance to be reported again (they must not be).
    await new Promise((r) => setTimeout(r, 300));
    // One message per file (the component's own and the unified log), not one per record.
    expect(notes.filter((n) => /cannot write/.test(n)).length).toBeLessThanOrEqual(2);

    d.unfill();
    await waitFor(
      'the logger to resume',
      () => notes.filter((n) => /work again/.test(n)).length >= 2,
      15_000,
    );
    log.info('after the disk had room again');
    await closeLogger(log);
    const names = fs.readdirSync(l.logsDir).filter((n) => n.startsWith('worker-'));
    const text = names.map((n) => fs.readFileSync(path.join(l.logsDir, n), 'utf8')).join('');
    expect(text).toContain('after the disk had room again');
    expect(text).toContain('before the disk filled');
  });
});
