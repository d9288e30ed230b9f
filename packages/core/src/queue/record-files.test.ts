import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from '../process/test-kit.js';
import { parsedRecords, readRecordFiles, RECORDS_PER_TURN } from './record-files.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

function recordText(id: string): string {
  const at = '2026-12-02T07:40:23.595Z';
  const spec = {
    id,
    tool: 'true',
    repo: '.',
    args: [],
    files: [],
    flags: [],
    env: {},
    priority: 0,
    rerun: false,
    after: [],
  };
  const source = { file: 'one.jsonl', line: 1, hash: '2b77ff34cec530c2' };
  return `${JSON.stringify({ id, spec, state: 'done', attempts: 1, crashes: 0, enqueuedAt: at, updatedAt: at, rev: 4, source, history: [] }, null, 1)}\n`;
}

describe('readRecordFiles', () => {
  it('reads more files than one turn takes, in order; gone, unparsable and (regularOnly) non-files are told apart', async () => {
    const n = RECORDS_PER_TURN * 2 + 5;
    const files = [];
    for (let i = 0; i < n; i++) {
      const id = `t${String(i).padStart(4, '0')}`;
      const file = path.join(dir, `${id}.json`);
      await fs.writeFile(file, recordText(id));
      files.push({ id, file });
    }
    await fs.writeFile(path.join(dir, 'torn.json'), '{"id": "torn", "sp');
    await fs.mkdir(path.join(dir, 'adir.json'));
    const odd = [
      { id: 'gone', file: path.join(dir, 'gone.json') },
      { id: 'torn', file: path.join(dir, 'torn.json') },
      { id: 'adir', file: path.join(dir, 'adir.json') },
    ];
    const results = await readRecordFiles([...files, ...odd], { regularOnly: true });
    expect(results).toHaveLength(n + 3);
    expect(parsedRecords(results).map((r) => r.id)).toEqual(files.map((f) => f.id));
    expect(results[n]).toBeUndefined();
    expect(results[n + 1]).toMatchObject({ ok: false, why: expect.stringMatching(/does not parse/) });
    expect(results[n + 2]).toBeUndefined();
  });

  it('writtenSinceMs: a file last written before it is not read; one written at or after it is', async () => {
    const old = { id: 'old1', file: path.join(dir, 'old1.json') };
    const fresh = { id: 'new1', file: path.join(dir, 'new1.json') };
    await fs.writeFile(old.file, recordText(old.id));
    await fs.writeFile(fresh.file, recordText(fresh.id));
    const hourAgo = new Date(Date.now() - 3600_000);
    await fs.utimes(old.file, hourAgo, hourAgo);
    const since = (await fs.stat(fresh.file)).mtimeMs;
    const results = await readRecordFiles([old, fresh], { writtenSinceMs: since });
    expect(results[0]).toBeUndefined();
    expect(parsedRecords(results).map((r) => r.id)).toEqual(['new1']);
    expect(parsedRecords(await readRecordFiles([old, fresh])).map((r) => r.id)).toEqual(['old1', 'new1']);
  });

  it('lets the event loop run between batches', async () => {
    const files = Array.from({ length: RECORDS_PER_TURN * 3 }, (_, i) => ({
      id: `x${i}`,
      file: path.join(dir, 'missing', `x${i}.json`),
    }));
    // An immediate chain started before: without a yield between batches none of it would run first.
    let ran = 0;
    const spin = (): void => {
      ran++;
      if (ran < 1000) setImmediate(spin);
    };
    setImmediate(spin);
    await readRecordFiles(files);
    expect(ran).toBeGreaterThanOrEqual(2);
  });
});
