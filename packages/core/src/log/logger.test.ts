import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { layout, type RootLayout } from '../paths.js';
import { closeLogger, createLogger, expiredLogFiles } from './logger.js';

async function records(dir: string, prefix: string): Promise<Record<string, unknown>[]> {
  const names = (await fs.readdir(dir)).filter((n) => n.startsWith(`${prefix}-`) && n.endsWith('.log'));
  const out: Record<string, unknown>[] = [];
  for (const name of names.sort()) {
    const text = await fs.readFile(path.join(dir, name), 'utf8');
    for (const line of text.split('\n').filter(Boolean))
      out.push(JSON.parse(line) as Record<string, unknown>);
  }
  return out;
}

describe('createLogger', () => {
  let l: RootLayout;
  beforeEach(async () => {
    l = layout(await fs.mkdtemp(path.join(os.tmpdir(), 'headless-log-')));
  });
  afterEach(async () => {
    await fs.rm(l.root, { recursive: true, force: true });
  });

  it('writes each component to its own file and every component to the unified log', async () => {
    const worker = createLogger({ layout: l, component: 'worker' });
    const supervisor = createLogger({ layout: l, component: 'supervisor' });
    worker.info('task started', { taskId: 't1', attempt: 2 });
    supervisor.warn('worker restarted', { pid: 42 });
    await Promise.all([closeLogger(worker), closeLogger(supervisor)]);

    const w = await records(l.logsDir, 'worker');
    const s = await records(l.logsDir, 'supervisor');
    const all = await records(l.logsDir, 'headless');
    expect(w).toEqual([
      expect.objectContaining({
        component: 'worker',
        level: 'info',
        message: 'task started',
        taskId: 't1',
        attempt: 2,
      }),
    ]);
    expect(s).toEqual([expect.objectContaining({ component: 'supervisor', level: 'warn', pid: 42 })]);
    expect(all.map((r) => r['message']).sort()).toEqual(['task started', 'worker restarted']);
    expect(typeof w[0]?.['timestamp']).toBe('string');
  });

  it('drops records below the level', async () => {
    const log = createLogger({ layout: l, component: 'cli', level: 'warn' });
    log.info('quiet');
    log.error('loud');
    await closeLogger(log);
    expect((await records(l.logsDir, 'cli')).map((r) => r['message'])).toEqual(['loud']);
  });

  it('flushes every record to the disk before close resolves', async () => {
    const log = createLogger({ layout: l, component: 'worker' });
    // Enough data that the file stream is still writing when winston itself reports "finish".
    for (let i = 0; i < 10000; i++) log.info('line '.repeat(20), { i });
    await closeLogger(log);
    // Read synchronously at once: async reads would queue behind pending writes and hide a lost flush.
    const lines = readdirSync(l.logsDir)
      .filter((n) => n.startsWith('worker-'))
      .flatMap((n) => readFileSync(path.join(l.logsDir, n), 'utf8').split('\n').filter(Boolean));
    expect(lines).toHaveLength(10000);
  });

  it('rotates by size into numbered files', async () => {
    const log = createLogger({
      layout: l,
      component: 'worker',
      logs: { maxSize: '1k', maxFiles: 50, retentionDays: 14, level: 'info' },
    });
    for (let i = 0; i < 100; i++) log.info('x'.repeat(100), { i });
    await closeLogger(log);
    const names = (await fs.readdir(l.logsDir)).filter((n) => n.startsWith('worker-'));
    expect(names.length).toBeGreaterThan(3);
    for (const n of names) expect(n).toMatch(/^worker-\d{4}-\d{2}-\d{2}(\.\d+)?\.log$/);
    expect(await records(l.logsDir, 'worker')).toHaveLength(100);
  });

  it('deletes rotated logs older than the retention when it starts', async () => {
    await fs.mkdir(l.logsDir, { recursive: true });
    const old = path.join(l.logsDir, 'worker-2020-01-01.log');
    const keep = path.join(l.logsDir, 'ledger.jsonl');
    await fs.writeFile(old, '{}\n');
    await fs.writeFile(keep, '{}\n');
    const longAgo = new Date('2020-01-02T00:00:00Z');
    await fs.utimes(old, longAgo, longAgo);
    await fs.utimes(keep, longAgo, longAgo);
    await closeLogger(createLogger({ layout: l, component: 'worker' }));
    await expect(fs.stat(old)).rejects.toThrow(/ENOENT/);
    await expect(fs.stat(keep)).resolves.toBeTruthy();
  });

  it('refuses a component name that is not a plain file name', () => {
    expect(() => createLogger({ layout: l, component: '../x' })).toThrow(/must be letters/);
  });
});

describe('expiredLogFiles', () => {
  const day = 24 * 3600 * 1000;
  it('selects only rotated logs of the given prefixes past the retention', () => {
    const now = 100 * day;
    const files = [
      { name: 'worker-2026-01-01.log', mtimeMs: now - 20 * day },
      { name: 'worker-2026-01-01.3.log', mtimeMs: now - 20 * day },
      { name: 'worker-2026-01-02.log', mtimeMs: now - 2 * day },
      { name: 'headless-2026-01-01.log', mtimeMs: now - 20 * day },
      { name: 'other-2026-01-01.log', mtimeMs: now - 20 * day },
      { name: 'worker-notes.log', mtimeMs: now - 20 * day },
    ];
    expect(expiredLogFiles(files, ['worker', 'headless'], 14, now)).toEqual([
      'worker-2026-01-01.log',
      'worker-2026-01-01.3.log',
      'headless-2026-01-01.log',
    ]);
  });
});
