import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import path from 'node:path';
import { makeRedactor } from '../process/redact.js';
import { tempDir } from '../process/test-kit.js';
import { omittedMarker, openTaskLog, pruneTaskLogs } from './task-log.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

const clock = { now: () => Date.parse('2026-11-25T08:00:00.123Z') };

describe('openTaskLog', () => {
  it('writes one timestamped record per line', async () => {
    const file = path.join(dir, 'logs', 'task_a.log');
    const log = await openTaskLog(file, { maxBytes: 1 << 20, clock });
    log.line('meta', 'start claude');
    log.line('stdout', 'two\nlines');
    log.line('stderr', 'oops\r\n');
    await log.close();
    expect(await fs.readFile(file, 'utf8')).toBe(
      [
        '2026-11-25T08:00:00.123Z [meta] start claude',
        '2026-11-25T08:00:00.123Z [stdout] two',
        '2026-11-25T08:00:00.123Z [stdout] lines',
        '2026-11-25T08:00:00.123Z [stderr] oops',
        '2026-11-25T08:00:00.123Z [stderr] ',
        '',
      ].join('\n'),
    );
  });

  it('caps a flood to head + marker + tail, counting exactly what it left out', async () => {
    const file = path.join(dir, 'task_flood.log');
    const log = await openTaskLog(file, { maxBytes: 4096, clock });
    let total = 0;
    for (let i = 0; i < 10000; i++) {
      const text = `line ${i} ${'x'.repeat(i % 40)}`;
      total += Buffer.byteLength(`2026-11-25T08:00:00.123Z [stdout] ${text}\n`);
      log.line('stdout', text);
    }
    await log.close();
    const content = await fs.readFile(file, 'utf8');
    const size = Buffer.byteLength(content);
    expect(size).toBeLessThanOrEqual(4096 + 1024);
    expect(content.startsWith('2026-11-25T08:00:00.123Z [stdout] line 0 \n')).toBe(true);
    expect(content.endsWith(`[stdout] line 9999 ${'x'.repeat(9999 % 40)}\n`)).toBe(true);
    const m = /^\.\.\. \[(\d+) bytes omitted\] \.\.\.$/m.exec(content);
    expect(m).not.toBeNull();
    const omitted = Number(m?.[1]);
    expect(size - Buffer.byteLength(omittedMarker(omitted)) + omitted).toBe(total);
  });

  it('writes no marker when everything fits', async () => {
    const file = path.join(dir, 'task_small.log');
    const log = await openTaskLog(file, { maxBytes: 4096, clock });
    for (let i = 0; i < 40; i++) log.line('stdout', `l${i}`);
    await log.close();
    const content = await fs.readFile(file, 'utf8');
    expect(content).not.toContain('omitted');
    expect(content.trimEnd().split('\n')).toHaveLength(40);
  });

  it('redacts every line before writing it', async () => {
    const file = path.join(dir, 'task_secret.log');
    const log = await openTaskLog(file, { maxBytes: 4096, clock, redact: makeRedactor(['sk-live-123456']) });
    log.line('stdout', 'token sk-live-123456 used');
    await log.close();
    expect(await fs.readFile(file, 'utf8')).toContain('[stdout] token *** used');
  });

  it('appends a second attempt, counting the first against the head', async () => {
    const file = path.join(dir, 'task_retry.log');
    const first = await openTaskLog(file, { maxBytes: 1024, clock });
    for (let i = 0; i < 100; i++) first.line('stdout', `first ${i}`);
    await first.close();
    const afterFirst = (await fs.stat(file)).size;
    const second = await openTaskLog(file, { maxBytes: 1024, clock });
    for (let i = 0; i < 100; i++) second.line('stdout', `second ${i}`);
    await second.close();
    const content = await fs.readFile(file, 'utf8');
    expect(content).toContain('first 0');
    expect(content).toContain('second 99');
    expect((await fs.stat(file)).size - afterFirst).toBeLessThanOrEqual(1024);
  });

  it('ignores lines after close, and fails to open where it cannot write', async () => {
    const file = path.join(dir, 'task_closed.log');
    const log = await openTaskLog(file, { maxBytes: 4096, clock });
    await log.close();
    log.line('stdout', 'late');
    await log.close();
    expect(await fs.readFile(file, 'utf8')).toBe('');
    await fs.mkdir(path.join(dir, 'task_dir.log'));
    await expect(openTaskLog(path.join(dir, 'task_dir.log'), { maxBytes: 10 })).rejects.toThrow();
  });
});

describe('pruneTaskLogs', () => {
  it('deletes only task logs older than the retention', async () => {
    const now = Date.now();
    const day = 24 * 60 * 60 * 1000;
    const old = path.join(dir, 'task_old.log');
    const fresh = path.join(dir, 'task_fresh.log');
    const other = path.join(dir, 'headless.log');
    for (const f of [old, fresh, other]) await fs.writeFile(f, 'x');
    await fs.utimes(old, new Date(now - 10 * day), new Date(now - 10 * day));
    await fs.utimes(other, new Date(now - 10 * day), new Date(now - 10 * day));
    expect(await pruneTaskLogs(dir, { retentionDays: 7, now })).toEqual([old]);
    expect((await fs.readdir(dir)).sort()).toEqual(['headless.log', 'task_fresh.log']);
    expect(await pruneTaskLogs(path.join(dir, 'missing'), { retentionDays: 7, now })).toEqual([]);
  });
});
