import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ToolsConfig } from '@headless/core/config/schema';
import { defaultToolsConfig } from '@headless/core/config/default-tools';
import { FolderStore } from '@headless/core/queue/folder-store';
import { Ledger } from '@headless/core/ledger/ledger';
import { Transitions } from '@headless/core/queue/transitions';
import { makeTempRoot } from '@headless/test-support/temp-root';
import { ingestFile, type IngestDeps } from './ingest.js';
import { jsonNestingDepth } from './json-depth.js';
import { InboxWatcher } from './watcher.js';

describe('jsonNestingDepth', () => {
  it('counts arrays and objects, not brackets inside strings, and stops past the limit', () => {
    expect(jsonNestingDepth('{"a":[1,{"b":[]}]}', 10)).toBe(4);
    expect(jsonNestingDepth('{"a":"[[[[{{{{\\"]]]"}', 10)).toBe(1);
    expect(jsonNestingDepth('['.repeat(1_000_000), 32)).toBe(33);
    expect(jsonNestingDepth('not json', 5)).toBe(0);
  });
});

describe('hostile inbox input', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let deps: IngestDeps;
  let store: FolderStore;
  const inbox = () => path.join(root, '.tasks', 'inbox');

  beforeEach(async () => {
    ({ root, cleanup } = await makeTempRoot('headless-hostile-'));
    store = new FolderStore(path.join(root, '.tasks'), { fsync: false });
    await store.init();
    await fs.mkdir(inbox(), { recursive: true });
    const ledger = new Ledger(path.join(root, 'logs', 'ledger.jsonl'), { fsync: false });
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
      now: () => new Date(),
    };
  });
  afterEach(() => cleanup());

  it('refuses deeply nested lines with a reason and still queues the valid lines around them', async () => {
    const deep = (d: number) => '['.repeat(d) + ']'.repeat(d);
    const lines = [
      '{"id":"before","tool":"git","args":["status"]}',
      // Each of these overflowed the stack while the error message quoted the value.
      `{"id":"d1","tool":"git","args":${deep(50_000)}}`,
      `{"id":"d2","tool":"git","env":{"A":${deep(50_000)}}}`,
      `{"id":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)},"tool":"git"}`,
      '{"id":"after","tool":"git","args":["status"]}',
    ];
    const file = path.join(inbox(), 'deep.jsonl');
    await fs.writeFile(file, `${lines.join('\n')}\n`);
    const report = await ingestFile(file, deps);
    expect(report.queued.sort()).toEqual(['after', 'before']);
    expect(report.rejected.map((r) => r.line)).toEqual([2, 3, 4]);
    for (const r of report.rejected) expect(r.reason).toMatch(/nested more than 32 levels/);
    expect(report.movedTo).toBeDefined();
  });

  it('moves a file that can never be read out of the inbox after repeated failures, with the error', async () => {
    // The folder read files are kept in is a file: every ingest of this file fails at the end.
    await fs.writeFile(deps.ingestedDir, 'not a folder');
    await fs.writeFile(path.join(inbox(), 'stuck.jsonl'), '{"id":"s1","tool":"git","args":["status"]}\n');
    const errors: string[] = [];
    const watcher = new InboxWatcher({
      inboxDir: inbox(),
      refusedDir: path.join(root, '.tasks', 'quarantine', 'files'),
      settleMs: 0,
      clock: { now: () => Date.now() },
      ingest: deps,
      onReport: () => undefined,
      onError: (f, e) => void errors.push(`${path.basename(f)}: ${String(e)}`),
      maxFailures: 3,
      failingForMs: 0,
    });
    for (let i = 0; i < 3; i++) await watcher.scan();
    expect(errors).toHaveLength(3);
    expect(await fs.readdir(inbox())).toEqual([]);
    const aside = await fs.readdir(path.join(root, '.tasks', 'quarantine', 'files'));
    expect(aside).toEqual([expect.stringMatching(/--stuck\.jsonl$/)]);
    const rejected = await store.listRejected();
    expect(rejected).toEqual([
      expect.objectContaining({
        file: 'stuck.jsonl',
        line: 0,
        reason: expect.stringMatching(/could not be read 3 times/),
      }),
    ]);
    // What it queued before the error stays queued.
    expect(await store.ids('queued')).toEqual(['s1']);
    await watcher.scan();
    expect(errors).toHaveLength(3);
  });
});
