import path from 'node:path';
import { FolderStore } from '@headless/core/queue/folder-store';
import { describeStoreContract } from './store-contract.js';
import { makeTempRoot } from './temp-root.js';

describeStoreContract('folder store', {
  storePoints: ['store.move:after-rename', 'store.move:after-write', 'store.enqueue:after-write'],
  make: async () => {
    const { root, cleanup } = await makeTempRoot('headless-contract-');
    const open = () => new FolderStore(path.join(root, '.tasks'), { fsync: false });
    return { store: open(), reopen: () => Promise.resolve(open()), cleanup };
  },
});
