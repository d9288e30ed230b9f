import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FolderStore } from '@headless/core/queue/folder-store';
import { Transitions } from '@headless/core/queue/transitions';
import { MemoryLedger, spec, statesOf } from './store-contract-kit.js';
import { makeTempRoot } from './temp-root.js';

/** The folder store sets its folders up once, and again after an enqueue failed (a folder removed under it). */
describe('folder store set-up', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ root, cleanup } = await makeTempRoot('headless-store-init-'));
  });
  afterEach(() => cleanup());

  it('makes a removed queue folder again at the enqueue after the one that failed on it', async () => {
    const tasksDir = path.join(root, '.tasks');
    const store = new FolderStore(tasksDir, { fsync: false });
    const t = new Transitions(store, new MemoryLedger());
    await t.enqueue([{ spec: spec({ id: 'first', tool: 'git' }) }]);
    await fs.rm(path.join(tasksDir, 'queued'), { recursive: true });
    await expect(t.enqueue([{ spec: spec({ id: 'second', tool: 'git' }) }])).rejects.toThrow(/ENOENT/);
    expect(await t.enqueue([{ spec: spec({ id: 'second', tool: 'git' }) }])).toEqual([
      { id: 'second', result: 'queued' },
    ]);
    expect(await statesOf(store, 'second')).toEqual(['queued']);
  });
});
