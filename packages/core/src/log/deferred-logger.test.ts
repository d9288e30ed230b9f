import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { layout, type RootLayout } from '../paths.js';
import { waitFor } from '../process/test-kit.js';
import { createDeferredLogger } from './deferred-logger.js';

interface Record {
  message: string;
  timestamp: string;
  level: string;
  taskId?: string;
}

async function records(dir: string, prefix: string): Promise<Record[]> {
  let names: string[];
  try {
    names = (await fs.readdir(dir)).filter((n) => n.startsWith(`${prefix}-`) && n.endsWith('.log'));
  } catch {
    return [];
  }
  const out: Record[] = [];
  for (const name of names.sort())
    for (const line of (await fs.readFile(path.join(dir, name), 'utf8')).split('\n').filter(Boolean))
      out.push(JSON.parse(line) as Record);
  return out;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

// The booting worker logs through this one: winston is loaded after `worker.start`.
describe('createDeferredLogger', () => {
  let l: RootLayout;
  beforeEach(async () => {
    l = layout(await fs.mkdtemp(path.join(os.tmpdir(), 'headless-dlog-')));
  });
  afterEach(async () => {
    await fs.rm(l.root, { recursive: true, force: true });
  });

  it('holds the records until the trigger, then writes them in order, with their own time and meta', async () => {
    const open = deferred();
    const log = createDeferredLogger({ layout: l, component: 'worker', openFilesAfter: open.promise });
    const before = new Date().toISOString();
    log.info('config read');
    log.warn('a task waits', { taskId: 't1' });
    log.debug('below the level');
    await new Promise((r) => setTimeout(r, 20));
    const held = new Date().toISOString();
    // Nothing loaded yet: no log folder content.
    expect(await records(l.logsDir, 'worker')).toEqual([]);
    open.resolve();
    await waitFor('the held records on disk', async () => (await records(l.logsDir, 'worker')).length === 2);
    log.info('after the start');
    await log.close();
    const got = await records(l.logsDir, 'worker');
    expect(got.map((r) => r.message)).toEqual(['config read', 'a task waits', 'after the start']);
    expect(got[1]).toMatchObject({ level: 'warn', taskId: 't1', component: 'worker' });
    // The held ones carry the moment they were logged, not the moment they were written.
    for (const r of got.slice(0, 2)) {
      expect(r.timestamp >= before).toBe(true);
      expect(r.timestamp <= held).toBe(true);
    }
    expect((await records(l.logsDir, 'headless')).map((r) => r.message)).toEqual(got.map((r) => r.message));
  });

  it('closed before its trigger (a failed boot): every record is still written', async () => {
    const log = createDeferredLogger({ layout: l, component: 'worker', openFilesAfter: deferred().promise });
    log.info('config read');
    log.warn('the lock is held');
    await log.close();
    expect((await records(l.logsDir, 'worker')).map((r) => r.message)).toEqual([
      'config read',
      'the lock is held',
    ]);
  });

  it('an error record loads it at once', async () => {
    const log = createDeferredLogger({ layout: l, component: 'worker', openFilesAfter: deferred().promise });
    log.info('before');
    log.error('recovery failed');
    await waitFor('the error on disk', async () => (await records(l.logsDir, 'worker')).length === 2);
    expect((await records(l.logsDir, 'worker')).map((r) => r.message)).toEqual(['before', 'recovery failed']);
    await log.close();
  });
});
