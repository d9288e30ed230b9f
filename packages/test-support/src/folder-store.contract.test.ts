import path from 'node:path';
import { FolderStore } from '@headless/core/queue/folder-store';
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
