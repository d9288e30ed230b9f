import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { layout, type RootLayout } from '../paths.js';
import { waitFor } from '../process/test-kit.js';
import { closeLogger, createLogger } from './logger.js';

async function messages(dir: string, prefix: string): Promise<string[]> {
  const names = (await fs.readdir(dir)).filter((n) => n.startsWith(`${prefix}-`) && n.endsWith('.log'));
  const out: string[] = [];
  for (const name of names.sort()) {
    for (const line of (await fs.readFile(path.join(dir, name), 'utf8')).split('\n').filter(Boolean))
      out.push(String((JSON.parse(line) as { message: unknown }).message));
  }
  return out;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

// The worker opens its log files after `worker.start` (openFilesAfter): nothing logged before is lost.
describe('createLogger with openFilesAfter', () => {
  let l: RootLayout;
  beforeEach(async () => {
    l = layout(await fs.mkdtemp(path.join(os.tmpdir(), 'headless-log-')));
  });
  afterEach(async () => {
    await fs.rm(l.root, { recursive: true, force: true });
  });

  it('keeps the records until the trigger, then writes them in order before the later ones', async () => {
    const open = deferred();
    const log = createLogger({ layout: l, component: 'worker', openFilesAfter: open.promise });
    for (let i = 0; i < 50; i++) log.info(`boot ${i}`);
    await new Promise((r) => setImmediate(r));
    expect(await messages(l.logsDir, 'worker')).toEqual([]);
    open.resolve();
    log.warn('after the start');
    await closeLogger(log);
    const want = [...Array.from({ length: 50 }, (_, i) => `boot ${i}`), 'after the start'];
    expect(await messages(l.logsDir, 'worker')).toEqual(want);
    expect(await messages(l.logsDir, 'headless')).toEqual(want);
  });

  it('a logger closed before its trigger (a failed boot) still writes every record', async () => {
    const log = createLogger({ layout: l, component: 'worker', openFilesAfter: deferred().promise });
    log.info('config read');
    log.warn('the lock is held');
    await closeLogger(log);
    expect(await messages(l.logsDir, 'worker')).toEqual(['config read', 'the lock is held']);
  });

  it('an error record opens the files at once', async () => {
    const open = deferred();
    const log = createLogger({ layout: l, component: 'worker', openFilesAfter: open.promise });
    log.info('before');
    log.error('recovery failed');
    await waitFor('the error on disk', async () => (await messages(l.logsDir, 'worker')).length === 2);
    expect(await messages(l.logsDir, 'worker')).toEqual(['before', 'recovery failed']);
    open.resolve();
    await closeLogger(log);
  });
});
