import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { tempDir } from '../process/test-kit.js';
import { Ledger, readLedger, readLedgerTail } from './ledger.js';
import { ledgerFiles, rotateLedger, segmentNumber } from './segments.js';

describe('ledger rotation', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  it('names segments by number only', () => {
    const f = '/x/ledger.jsonl';
    expect(segmentNumber(f, 'ledger.3.jsonl')).toBe(3);
    expect(segmentNumber(f, 'ledger.jsonl')).toBeUndefined();
    expect(segmentNumber(f, 'ledger.03.jsonl')).toBeUndefined();
    expect(segmentNumber(f, 'ledger.1.jsonl.tmp')).toBeUndefined();
    expect(segmentNumber(f, 'other.1.jsonl')).toBeUndefined();
  });

  it('rotates the live file into numbered segments by size, and every reader still sees every record in order', async () => {
    const ledger = new Ledger(path.join(dir, 'ledger.jsonl'), { maxBytes: 2000, fsync: false });
    for (let i = 0; i < 100; i++)
      await ledger.append({ event: 'task.queued', task: `t${i}`, reason: 'x'.repeat(50) });
    await ledger.close();
    const files = await ledgerFiles(ledger.file);
    expect(files.length).toBeGreaterThan(3);
    expect(files.at(-1)).toBe(ledger.file);
    for (const f of files) expect((await fs.stat(f)).size).toBeLessThan(2000 + 200);
    const all = await readLedger(ledger.file);
    expect(all.skipped).toEqual([]);
    expect(all.records.map((r) => r.task)).toEqual(Array.from({ length: 100 }, (_, i) => `t${i}`));
    expect((await readLedger(ledger.file, (r) => r.task === 't3')).records).toHaveLength(1);
    const tail = await readLedgerTail(ledger.file, 30);
    expect(tail.records.map((r) => r.task)).toEqual(Array.from({ length: 30 }, (_, i) => `t${70 + i}`));
  });

  it('rotates a ledger that is already over the limit before the first new record', async () => {
    const file = path.join(dir, 'ledger.jsonl');
    const old = '{"v":1,"ts":"2026-01-01T00:00:00Z","event":"task.done","task":"old"}\n';
    await fs.writeFile(file, old.repeat(100));
    const ledger = new Ledger(file, { maxBytes: 1000, fsync: false });
    await ledger.append({ event: 'task.queued', task: 'new' });
    await ledger.close();
    expect(await fs.readFile(file, 'utf8')).not.toContain('"old"');
    const { records } = await readLedger(file);
    expect(records).toHaveLength(101);
    expect(records.at(-1)?.task).toBe('new');
  });

  it('never overwrites a segment that exists', async () => {
    const file = path.join(dir, 'ledger.jsonl');
    await fs.writeFile(path.join(dir, 'ledger.1.jsonl'), 'one\n');
    await fs.writeFile(file, 'live\n');
    expect(await rotateLedger(file)).toBe(path.join(dir, 'ledger.2.jsonl'));
    expect(await fs.readFile(path.join(dir, 'ledger.1.jsonl'), 'utf8')).toBe('one\n');
    expect(await fs.readFile(path.join(dir, 'ledger.2.jsonl'), 'utf8')).toBe('live\n');
    expect(await rotateLedger(file)).toBeUndefined();
  });

  it('names the segment of a damaged line', async () => {
    const file = path.join(dir, 'ledger.jsonl');
    await fs.writeFile(path.join(dir, 'ledger.1.jsonl'), 'torn\n');
    const { skipped } = await readLedger(file);
    expect(skipped).toEqual([{ line: 1, text: 'torn', file: 'ledger.1.jsonl' }]);
  });
});
