import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ToolsConfig } from '@headless/core/config/schema';
import { defaultToolsConfig } from '@headless/core/config/default-tools';
import { FolderStore } from '@headless/core/queue/folder-store';
import { Transitions } from '@headless/core/queue/transitions';
import { Ledger, readLedger } from '@headless/core/ledger/ledger';
import { makeTempRoot } from '@headless/test-support/temp-root';
import type { IngestDeps } from './ingest.js';
import { movedName, NAME_MAX, WINDOWS_MAX_PATH } from './moved-name.js';
import { InboxWatcher } from './watcher.js';
import { posixOnly } from '@headless/test-support/platform';

const symlinks = posixOnly(
  'makes symlinks, which Windows allows only with a privilege (Developer Mode or admin)',
);

const STAMP = '2026-12-01T20-00-00-000Z';

describe('movedName (pure)', () => {
  it('keeps the original name when it fits, and shortens one that does not', () => {
    expect(movedName('/r/.tasks/ingested', STAMP, 'a.jsonl')).toEqual({
      name: `${STAMP}--a.jsonl`,
      shortened: false,
    });
    const long = `${'x'.repeat(244)}.jsonl`;
    const m = movedName('/r/.tasks/ingested', STAMP, long);
    expect(m.shortened).toBe(true);
    expect(m.name).toMatch(/^2026-12-01T20-00-00-000Z--[0-9a-f]{12}\.jsonl$/);
    expect(movedName('/r', STAMP, long).name).toBe(m.name);
  });

  it('fits the Windows MAX_PATH budget of a default root, not only the file name limit', () => {
    const dir = 'C:\\Users\\someone.with.a.long.name\\headless\\.tasks\\quarantine\\files';
    const name = `${'n'.repeat(180)}.jsonl`;
    expect(Buffer.byteLength(`${STAMP}--${name}`)).toBeLessThanOrEqual(NAME_MAX);
    const m = movedName(dir, STAMP, name, { pathApi: path.win32 });
    expect(m.shortened).toBe(true);
    expect(path.win32.join(dir, m.name).length).toBeLessThanOrEqual(WINDOWS_MAX_PATH);
  });
});

describe('an inbox file with a name too long to move as it is', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let deps: IngestDeps;
  let store: FolderStore;
  let ledger: Ledger;
  const inbox = () => path.join(root, '.tasks', 'inbox');

  beforeEach(async () => {
    ({ root, cleanup } = await makeTempRoot('headless-longname-'));
    store = new FolderStore(path.join(root, '.tasks'), { fsync: false });
    await store.init();
    await fs.mkdir(inbox(), { recursive: true });
    ledger = new Ledger(path.join(root, 'logs', 'ledger.jsonl'), { fsync: false });
    deps = {
      transitions: new Transitions(store, ledger),
      ledger,
      validation: {
        root,
        tools: ToolsConfig.parse(defaultToolsConfig()).tools,
        allowedRoots: [root],
        maxLineBytes: 1024 * 1024,
      },
      ingestedDir: path.join(root, '.tasks', 'ingested'),
      now: () => new Date('2026-12-01T20:00:00Z'),
    };
  });
  afterEach(() => cleanup());

  const watcher = (errors: unknown[]) =>
    new InboxWatcher({
      inboxDir: inbox(),
      refusedDir: path.join(root, '.tasks', 'quarantine', 'files'),
      settleMs: 0,
      clock: { now: () => Date.now() },
      ingest: deps,
      onReport: () => undefined,
      onError: (_f, e) => errors.push(e),
    });

  it('is read, queued, and moved out under a short name with the original kept beside it (one scan, no error)', async () => {
    const long = `${'t'.repeat(244)}.jsonl`;
    expect(long).toHaveLength(250);
    await fs.writeFile(path.join(inbox(), long), '{"id":"long-1","tool":"git","args":["status"]}\n');
    const errors: unknown[] = [];
    const w = watcher(errors);
    await w.scan();
    expect(errors).toEqual([]);
    expect(await fs.readdir(inbox())).toEqual([]);
    expect(w.pending).toBe(false);
    const moved = await fs.readdir(deps.ingestedDir);
    const short = moved.find((n) => n.endsWith('.jsonl')) as string;
    expect(short.length).toBeLessThan(60);
    expect(
      await fs.readFile(path.join(deps.ingestedDir, short.replace(/\.jsonl$/, '.name.txt')), 'utf8'),
    ).toBe(`${long}\n`);
    expect(await store.ids('queued')).toEqual(['long-1']);
  });

  // prettier-ignore
  symlinks.it('is quarantined under a short name when it must be refused (a symlink), with the original in the ledger', async () => {
    const long = `${'s'.repeat(244)}.jsonl`;
    await fs.writeFile(path.join(root, 'target.jsonl'), '');
    await fs.symlink(path.join(root, 'target.jsonl'), path.join(inbox(), long));
    const errors: unknown[] = [];
    await watcher(errors).scan();
    expect(errors).toEqual([]);
    expect(await fs.readdir(inbox())).toEqual([]);
    const q = await fs.readdir(path.join(root, '.tasks', 'quarantine', 'files'));
    expect(q.some((n) => n.endsWith('.name.txt'))).toBe(true);
    await ledger.close();
    const { records } = await readLedger(ledger.file);
    expect(records).toEqual([
      expect.objectContaining({
        event: 'task.rejected',
        file: long,
        movedTo: expect.stringMatching(/^2026.*\.jsonl$/),
      }),
    ]);
  });
});
