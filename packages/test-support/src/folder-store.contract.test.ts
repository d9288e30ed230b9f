import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { FolderStore } from '@headless/core/queue/folder-store';
import { Transitions } from '@headless/core/queue/transitions';
import { MemoryLedger, OWNER, spec } from './store-contract-kit.js';
import { describeStoreContract } from './store-contract.js';
import { makeTempRoot } from './temp-root.js';

const open = (root: string, segmentMin?: number) =>
  new FolderStore(path.join(root, '.tasks'), {
    fsync: false,
    ...(segmentMin !== undefined ? { segmentMin } : {}),
  });

describeStoreContract('folder store', {
  storePoints: ['store.move:after-rename', 'store.move:after-write', 'store.enqueue:after-write'],
  make: async () => {
    const { root, cleanup } = await makeTempRoot('headless-contract-');
    return { store: open(root), reopen: () => Promise.resolve(open(root)), cleanup };
  },
});

// Every batch as a queue segment: each task lives in a segment until its first change expands it.
describeStoreContract('folder store, every batch a segment', {
  storePoints: [
    'store.move:after-rename',
    'store.move:after-write',
    'store.enqueue:after-write',
    'store.segment:after-temp',
    'store.expand:after-take',
    'store.expand:after-files',
  ],
  make: async () => {
    const { root, cleanup } = await makeTempRoot('headless-contract-seg-');
    return { store: open(root, 1), reopen: () => Promise.resolve(open(root, 1)), cleanup };
  },
});

describe('folder store: get while a task moves', () => {
  it('finds a task that went back to queued/ after get had looked there', async () => {
    const { root, cleanup } = await makeTempRoot('headless-get-move-');
    try {
      const store = open(root);
      const t = new Transitions(store, new MemoryLedger());
      await t.enqueue([{ spec: spec({ id: 'r1', tool: 'git' }) }]);
      await t.claim('r1', OWNER);
      // The worker's retry, between get's look in queued/ and its look in processing/.
      const read = store.read.bind(store);
      let moved = false;
      store.read = async (state, id) => {
        const found = await read(state, id);
        if (state === 'queued' && !moved) {
          moved = true;
          await store.move(id, 'processing', 'queued', (r) => r);
        }
        return found;
      };
      expect((await store.get('r1'))?.state).toBe('queued');
      expect(moved).toBe(true);
    } finally {
      await cleanup();
    }
  });
});
