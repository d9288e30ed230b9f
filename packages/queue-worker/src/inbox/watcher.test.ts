import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { PoliciesConfig, ToolsConfig } from '@headless/core/config/schema';
import { defaultToolsConfig } from '@headless/core/config/default-tools';
import { FolderStore } from '@headless/core/queue/folder-store';
import { Ledger } from '@headless/core/ledger/ledger';
import { Transitions } from '@headless/core/queue/transitions';
import { validationContext } from '@headless/core/task/validate';
import { makeTempRoot } from '@headless/test-support/temp-root';
import { InboxWatcher } from './watcher.js';

describe('InboxWatcher', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let now: number;
  let store: FolderStore;
  let watcher: InboxWatcher;
  const inbox = () => path.join(root, '.tasks', 'inbox');
  const line = (id: string) => `{"id":"${id}","tool":"git","args":["status"]}`;

  beforeEach(async () => {
    ({ root, cleanup } = await makeTempRoot());
    await fs.mkdir(inbox(), { recursive: true });
    store = new FolderStore(path.join(root, '.tasks'), { fsync: false });
    const ledger = new Ledger(path.join(root, 'logs', 'ledger.jsonl'), { fsync: false });
    // A minute back: a file's first-seen time is min(now, its mtime), and the kernel stamps mtimes
    // from a clock that can lag Date.now() by a few ms, so a `now` taken just before a write could
    // land after the file's mtime and make the expected wake times off by a fraction of a ms.
    now = Date.now() - 60_000;
    watcher = new InboxWatcher({
      inboxDir: inbox(),
      refusedDir: path.join(root, '.tasks', 'quarantine', 'files'),
      settleMs: 2000,
      clock: { now: () => now },
      ingest: {
        transitions: new Transitions(store, ledger),
        ledger,
        validation: validationContext(
          root,
          ToolsConfig.parse(defaultToolsConfig()),
          PoliciesConfig.parse({}),
        ),
        ingestedDir: path.join(root, '.tasks', 'ingested'),
        now: () => new Date(now),
      },
      onReport: () => undefined,
      onError: (f, e) => {
        throw new Error(`${f}: ${String(e)}`);
      },
    });
  });
  afterEach(() => cleanup());

  it('queues complete lines at once and keeps reading a file its writer still appends to', async () => {
    const file = path.join(inbox(), 'live.jsonl');
    const fh = await fs.open(file, 'a');
    try {
      await fh.write(`${line('a')}\n{"id":"b","to`);
      await watcher.scan();
      // The complete line is queued without waiting; the half-written one is not read yet.
      expect(await store.ids('queued')).toEqual(['a']);
      expect(watcher.nextWakeAt).toBe(now + 2000);
      await fh.write(`ol":"git","args":["status"]}\n${line('c')}\n`);
      now += 500;
      await watcher.scan();
      expect((await store.ids('queued')).sort()).toEqual(['a', 'b', 'c']);
      await fs.access(file);
      // Quiet for settleMs: the file is closed and moved out of the inbox.
      now += 2000;
      await watcher.scan();
      await expect(fs.access(file)).rejects.toThrow();
      expect(watcher.pending).toBe(false);
      // The writer still holds the moved file; nothing it wrote before the move was lost.
      expect(await store.counts()).toMatchObject({ queued: 3, quarantine: 0 });
    } finally {
      await fh.close();
    }
  });

  it('reads a last line without a newline once the file has been quiet, and judges it like any line', async () => {
    await fs.writeFile(path.join(inbox(), 'torn.jsonl'), `${line('x')}\n{"id":"y","tool":"gi`);
    await watcher.scan();
    expect(await store.ids('queued')).toEqual(['x']);
    now += 2500;
    await watcher.scan();
    const rejected = await store.listRejected();
    expect(rejected.map((r) => [r.line, r.reason.slice(0, 12)])).toEqual([[2, 'invalid JSON']]);
  });
});
