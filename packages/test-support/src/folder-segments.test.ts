import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FolderStore } from '@headless/core/queue/folder-store';
import { Transitions } from '@headless/core/queue/transitions';
import { setFaultHandler, SimulatedCrash } from '@headless/core/fault-points';
import { MemoryLedger, OWNER, spec, statesOf } from './store-contract-kit.js';
import { makeTempRoot } from './temp-root.js';

/** Queue segments of the folder store: batches of >= 2 tasks go to a segment here, single tasks to files. */
describe('folder store segments', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  const tasksDir = () => path.join(root, '.tasks');
  const open = () => new FolderStore(tasksDir(), { fsync: false, segmentMin: 2 });
  const names = async (dir: string) => (await fs.readdir(path.join(tasksDir(), dir)).catch(() => [])).sort();
  const items = (...ids: string[]) => ids.map((id) => ({ spec: spec({ id, tool: 'git' }) }));

  beforeEach(async () => {
    ({ root, cleanup } = await makeTempRoot('headless-segments-'));
  });
  afterEach(() => cleanup());

  it('stores a big batch as one segment that every reader sees as queued records', async () => {
    const store = open();
    await store.init();
    const ledger = new MemoryLedger();
    const t = new Transitions(store, ledger);
    await t.enqueue(items('s1', 's2', 's3'));
    expect(await names('queued')).toEqual([]);
    expect((await names('segments')).filter((n) => n.endsWith('.seg.jsonl'))).toHaveLength(1);
    // A second process sees the same (nothing cached).
    const other = open();
    expect((await other.ids('queued')).sort()).toEqual(['s1', 's2', 's3']);
    expect((await other.list('queued')).map((r) => r.id).sort()).toEqual(['s1', 's2', 's3']);
    expect(await other.counts()).toMatchObject({ queued: 3, processing: 0 });
    expect((await other.get('s2'))?.state).toBe('queued');
    expect(await other.lookup('S3')).toEqual({ id: 's3', state: 'queued' });
    expect((await other.read('queued', 's1'))?.journal?.at(-1)?.event).toBe('task.queued');
    expect(ledger.lines.filter((l) => l.event === 'task.queued')).toHaveLength(3);
  });

  it('refuses ids known in a segment or a file, in either direction and ignoring case', async () => {
    const t = new Transitions(open(), new MemoryLedger());
    await t.store.init();
    await t.enqueue(items('f1'));
    const src = { file: 'a.jsonl', line: 1, hash: 'h1' };
    const first = await t.enqueue([
      { spec: spec({ id: 'g1', tool: 'git' }), source: src },
      ...items('F1', 'g2'),
    ]);
    expect(first.map((o) => o.result)).toEqual(['queued', 'known', 'queued']);
    // A line read again after a crash is recognised in the segment; other ids in it are refused.
    const again = await t.enqueue([{ spec: spec({ id: 'g1', tool: 'git' }), source: src }, ...items('G2')]);
    expect(again.map((o) => o.result)).toEqual(['replayed', 'known']);
    expect((await t.store.ids('queued')).sort()).toEqual(['f1', 'g1', 'g2']);
  });

  it('claims a task that is only in a segment: the segment becomes one file per task, once', async () => {
    const store = open();
    await store.init();
    const t = new Transitions(store, new MemoryLedger());
    await t.enqueue(items('c1', 'c2', 'c3'));
    const rec = await t.claim('c2', OWNER);
    expect(rec?.state).toBe('processing');
    expect(await names('segments')).toEqual([]);
    expect(await names('queued')).toEqual(['c1.json', 'c3.json']);
    for (const id of ['c1', 'c2', 'c3']) expect(await statesOf(store, id)).toHaveLength(1);
    // A move from queued (cancel) of a segment task expands it the same way.
    await t.enqueue(items('d1', 'd2'));
    await t.cancel('d1', 'queued');
    expect(await statesOf(store, 'd1')).toEqual(['failed']);
    expect(await statesOf(store, 'd2')).toEqual(['queued']);
  });

  it('lets two stores race to expand one segment: every task stays in one state', async () => {
    const a = new Transitions(open(), new MemoryLedger());
    const b = new Transitions(open(), new MemoryLedger());
    await a.store.init();
    await a.enqueue(items('r1', 'r2', 'r3', 'r4'));
    const [ra, rb] = await Promise.all([a.claim('r1', OWNER), b.claim('r1', OWNER)]);
    expect([ra, rb].filter((r) => r !== null)).toHaveLength(1);
    await Promise.all([a.claim('r2', OWNER), b.claim('r3', OWNER)]);
    for (const id of ['r1', 'r2', 'r3', 'r4']) expect(await statesOf(a.store, id)).toHaveLength(1);
  });

  it('finishes an expansion a crash cut short, without queueing a task twice', async () => {
    const t = new Transitions(open(), new MemoryLedger());
    await t.store.init();
    await t.enqueue(items('x1', 'x2', 'x3'));
    setFaultHandler((p) => {
      if (p === 'store.expand:after-files') throw new SimulatedCrash(p);
    });
    try {
      await expect(t.claim('x1', OWNER)).rejects.toBeInstanceOf(SimulatedCrash);
    } finally {
      setFaultHandler(undefined);
    }
    expect((await names('segments')).some((n) => n.endsWith('.expanding'))).toBe(true);
    const after = open();
    const report = await after.repair(new Date());
    expect(report.completedMoves).toEqual([]);
    expect(await names('segments')).toEqual([]);
    for (const id of ['x1', 'x2', 'x3']) expect(await statesOf(after, id)).toEqual(['queued']);
  });

  it('rebuilds an unreadable segment line from its kept inbox line and moves the segment aside', async () => {
    const t = new Transitions(open(), new MemoryLedger());
    await t.store.init();
    const lines = ['{"id":"k1","tool":"git"}', '{"id":"k2","tool":"git"}'];
    await fs.mkdir(path.join(tasksDir(), 'ingested'), { recursive: true });
    await fs.writeFile(path.join(tasksDir(), 'ingested', '2026-01-01--in.jsonl'), `${lines.join('\n')}\n`);
    await t.enqueue([
      { spec: spec({ id: 'k1', tool: 'git' }), source: { file: 'in.jsonl', line: 1, hash: 'h' } },
      { spec: spec({ id: 'k2', tool: 'git' }), source: { file: 'in.jsonl', line: 2, hash: 'h' } },
      { spec: spec({ id: 'k3', tool: 'git' }) },
    ]);
    const [seg] = await names('segments');
    const file = path.join(tasksDir(), 'segments', seg ?? '');
    const text = (await fs.readFile(file, 'utf8')).split('\n');
    // Line 0 is the header; k2's record is cut, k3's is gone.
    await fs.writeFile(file, [text[0], text[1], (text[2] ?? '').slice(0, 20)].join('\n'));
    const after = open();
    const report = await after.repair(new Date());
    expect(report.rebuilt).toEqual({ k2: 'queued' });
    expect(report.unrecoverable).toEqual(['k3']);
    expect(report.events.map((e) => e.task).sort()).toEqual(['k2', 'k3']);
    expect(await names('segments')).toEqual([]);
    expect((await names(path.join('quarantine', 'damaged'))).some((n) => n.includes('--segment--'))).toBe(
      true,
    );
    expect(await statesOf(after, 'k1')).toEqual(['queued']);
    expect((await after.read('queued', 'k2'))?.reason).toMatch(/rebuilt from .tasks\/ingested/);
    expect(await statesOf(after, 'k3')).toEqual([]);
  });
});
