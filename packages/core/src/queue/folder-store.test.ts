import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { tempDir } from '../process/test-kit.js';
import { TaskSpec } from '../task/schema.js';
import { FolderStore } from './folder-store.js';

const spec = (id: string, extra: Record<string, unknown> = {}) =>
  TaskSpec.parse({ id, tool: 'git', args: ['status'], ...extra });

describe('FolderStore', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let store: FolderStore;
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
    store = new FolderStore(path.join(root, '.tasks'));
    await store.init();
  });
  afterEach(() => cleanup());

  const where = async (id: string) => {
    const found: string[] = [];
    for (const s of ['queued', 'processing', 'done', 'failed', 'quarantine']) {
      try {
        await fs.access(path.join(root, '.tasks', s, `${id}.json`));
        found.push(s);
      } catch {
        // not here
      }
    }
    return found;
  };

  it('keeps each task in exactly one folder through claim, retry and completion', async () => {
    await store.enqueue([{ spec: spec('a') }]);
    expect(await where('a')).toEqual(['queued']);
    const claimed = await store.claim('a', { workerPid: process.pid });
    expect(claimed?.attempts).toBe(1);
    expect(await where('a')).toEqual(['processing']);
    await store.schedule('a', 'processing', new Date(Date.now() + 1000), 'rate limit');
    expect(await where('a')).toEqual(['queued']);
    expect((await store.get('a'))?.record.notBefore).toBeDefined();
    await store.claim('a', { workerPid: process.pid });
    const done = await store.complete('a', { attempt: 2, startedAt: 'x', outcome: 'success' });
    expect(done.attempts).toBe(2);
    expect(await where('a')).toEqual(['done']);
    expect(await store.counts()).toEqual({ queued: 0, processing: 0, done: 1, failed: 0, quarantine: 0 });
  });

  it('lets only one of two claimers win', async () => {
    await store.enqueue([{ spec: spec('race') }]);
    const other = new FolderStore(path.join(root, '.tasks'));
    const [a, b] = await Promise.all([
      store.claim('race', { workerPid: 1 }),
      other.claim('race', { workerPid: 2 }),
    ]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
  });

  it('reports a known id instead of duplicating it, recognises a replayed line, and reruns on request', async () => {
    const source = { file: 'x.jsonl', line: 3, hash: 'abc' };
    expect(await store.enqueue([{ spec: spec('k'), source }])).toEqual([{ id: 'k', result: 'queued' }]);
    expect(await store.enqueue([{ spec: spec('k'), source }])).toEqual([{ id: 'k', result: 'replayed' }]);
    const again = await store.enqueue([{ spec: spec('k'), source: { ...source, line: 4 } }]);
    expect(again[0]).toMatchObject({ result: 'known', state: 'queued' });
    await store.claim('k', { workerPid: 1 });
    await store.complete('k', { attempt: 1, startedAt: 'x' });
    expect((await store.enqueue([{ spec: spec('k', { rerun: true }) }]))[0]).toEqual({
      id: 'k',
      result: 'queued',
    });
    expect(await where('k')).toEqual(['queued']);
    expect((await fs.readdir(path.join(root, '.tasks', 'archive'))).length).toBe(1);
  });

  it('refuses an illegal move', async () => {
    await store.enqueue([{ spec: spec('m') }]);
    await expect(store.complete('m', { attempt: 1, startedAt: 'x' })).rejects.toThrow(/no longer processing/);
    await store.claim('m', { workerPid: 1 });
    await store.complete('m', { attempt: 1, startedAt: 'x' });
    await expect(store.schedule('m', 'done', new Date(), 'x')).rejects.toThrow(
      /cannot move from done to queued/,
    );
  });

  it('keeps rejected lines with file, line and reason, once per line', async () => {
    const rej = {
      file: 'in.jsonl',
      line: 7,
      reason: 'invalid JSON',
      raw: '{x',
      rawBytes: 2,
      at: new Date().toISOString(),
    };
    await store.rejectLine(rej);
    await store.rejectLine(rej);
    const listed = await store.listRejected();
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ file: 'in.jsonl', line: 7, reason: 'invalid JSON', raw: '{x' });
    expect((await store.counts()).quarantine).toBe(1);
  });
});
