import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { PoliciesConfig } from '@headless/core/config/schema';
import type { FolderStore } from '@headless/core/queue/folder-store';
import { readLedger } from '@headless/core/ledger/ledger';
import { TaskSpec } from '@headless/core/task/schema';
import { parseTaskRecord } from '@headless/core/task/record-schema';
import { makeTempRoot } from '@headless/test-support/temp-root';
import { testTasks, type TestTasks } from '@headless/test-support/tasks';
import { recover } from './recover.js';

const recordDamage = (text: string, id: string) => {
  const r = parseTaskRecord(text, id);
  return r.ok ? undefined : r.why;
};

describe('recovery of records a torn write left unreadable', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let store: FolderStore;
  let tasks: TestTasks;
  const policies = PoliciesConfig.parse({});
  const lines = ['a', 'b', 'c', 'd'].map((id) => JSON.stringify({ id, tool: 'git', args: ['status'] }));

  beforeEach(async () => {
    ({ root, cleanup } = await makeTempRoot('headless-damaged-'));
    tasks = testTasks(root);
    store = tasks.store;
    // As ingest leaves it: the records, and the inbox file kept under .tasks/ingested.
    await tasks.enqueue(
      lines.map((text, i) => ({
        spec: TaskSpec.parse(JSON.parse(text)),
        source: {
          file: 'x.jsonl',
          line: i + 1,
          hash: createHash('sha256').update(text).digest('hex').slice(0, 16),
        },
      })),
    );
    await fs.mkdir(path.join(root, '.tasks', 'ingested'), { recursive: true });
    await fs.writeFile(
      path.join(root, '.tasks', 'ingested', '2026-01-01T00-00-00-000Z--x.jsonl'),
      `${lines.join('\n')}\n`,
    );
  });
  afterEach(async () => {
    await tasks.close();
    await cleanup();
  });

  const cut = async (state: string, id: string, keep: number) => {
    const f = path.join(root, '.tasks', state, `${id}.json`);
    const text = await fs.readFile(f);
    await fs.writeFile(f, text.subarray(0, keep));
  };

  it('rebuilds a cut queued or processing record as queued and a cut done record as done, and says so', async () => {
    await tasks.claim('b');
    await tasks.complete('c');
    await cut('queued', 'a', 40);
    await cut('processing', 'b', 0);
    await cut('done', 'c', 77);

    const report = await recover({ root, policies, fsync: false });
    expect(report.rebuilt.sort()).toEqual(['a', 'b', 'c']);
    expect(report.unrecoverable).toEqual([]);
    expect(report.notes.join('\n')).toMatch(/task a: record was unreadable in queued\//);
    expect((await store.get('a'))?.state).toBe('queued');
    expect((await store.get('b'))?.state).toBe('queued');
    expect((await store.get('c'))?.state).toBe('done');
    // Rebuilt from the very line: a replay of the inbox file is still recognised as one.
    const a = await store.read('queued', 'a');
    expect(a?.spec).toEqual(TaskSpec.parse(JSON.parse(lines[0] as string)));
    expect(a?.source).toMatchObject({ file: 'x.jsonl', line: 1 });
    const aside = await fs.readdir(path.join(root, '.tasks', 'quarantine', 'damaged'));
    expect(aside).toHaveLength(3);
    const { records } = await readLedger(path.join(root, 'logs', 'ledger.jsonl'));
    expect(
      records
        .filter((r) => r.event === 'task.damaged')
        .map((r) => r.task)
        .sort(),
    ).toEqual(['a', 'b', 'c']);
    // Idempotent: nothing left to repair.
    const again = await recover({ root, policies, fsync: false });
    expect(again.rebuilt).toEqual([]);
  });

  it('moves a cut record with no kept inbox line aside and reports it as unrecoverable', async () => {
    await fs.rm(path.join(root, '.tasks', 'ingested'), { recursive: true });
    await cut('queued', 'd', 10);
    const report = await recover({ root, policies, fsync: false });
    expect(report.unrecoverable).toEqual(['d']);
    expect(report.notes.join('\n')).toMatch(/task d: .*submit the task again/);
    expect(await store.ids('queued')).toEqual(expect.not.arrayContaining(['d']));
    expect(await store.ids('queued')).toHaveLength(3);
  });

  it('tells a usable record from a damaged one', () => {
    expect(recordDamage('', 'a')).toBe('it is empty');
    expect(recordDamage('{"id":"a"', 'a')).toMatch(/does not parse/);
    expect(
      recordDamage('{"id":"b","spec":{"tool":"git"},"state":"queued","history":[],"attempts":0}', 'a'),
    ).toMatch(/names task "b"/);
    expect(
      recordDamage(
        JSON.stringify({
          id: 'a',
          spec: TaskSpec.parse({ id: 'a', tool: 'git' }),
          state: 'queued',
          history: [],
          attempts: 0,
          rev: 1,
          enqueuedAt: 'x',
          updatedAt: 'x',
        }),
        'a',
      ),
    ).toBeUndefined();
  });
});
