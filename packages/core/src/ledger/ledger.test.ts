import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { tempDir } from '../process/test-kit.js';
import { Ledger, readLedger } from './ledger.js';

describe('Ledger', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  it('keeps every record of concurrent appends, each on its own line, in call order', async () => {
    const ledger = new Ledger(path.join(dir, 'ledger.jsonl'));
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => ledger.append({ event: 'task.queued', task: `t${i}` })),
    );
    const { records, skipped } = await readLedger(ledger.file);
    expect(skipped).toEqual([]);
    expect(records.map((r) => r.task)).toEqual(Array.from({ length: 200 }, (_, i) => `t${i}`));
    expect(records[0]).toMatchObject({ v: 1, event: 'task.queued' });
  });

  it('redacts secrets before anything is written', async () => {
    const ledger = new Ledger(path.join(dir, 'ledger.jsonl'), {
      redact: (s) => s.replaceAll('sk-SECRET', '***'),
    });
    await ledger.append({ event: 'task.failed', task: 'a', reason: 'auth failed for sk-SECRET' });
    expect(await fs.readFile(ledger.file, 'utf8')).not.toContain('sk-SECRET');
  });

  it('tolerates a torn last line and reports it', async () => {
    const file = path.join(dir, 'ledger.jsonl');
    await fs.writeFile(
      file,
      '{"v":1,"ts":"2026-11-25T00:00:00Z","event":"task.queued","task":"a"}\n{"v":1,"ts":"2026-11-2',
    );
    const { records, skipped } = await readLedger(file);
    expect(records.map((r) => r.task)).toEqual(['a']);
    expect(skipped).toEqual([{ line: 2, text: '{"v":1,"ts":"2026-11-2' }]);
  });

  it('rejects the appends of a batch that could not be written, and keeps working afterwards', async () => {
    const ledger = new Ledger(path.join(dir, 'ledger.jsonl'));
    await fs.mkdir(path.join(dir, 'ledger.jsonl'));
    await expect(ledger.append({ event: 'task.queued', task: 'x' })).rejects.toThrow();
    await fs.rmdir(path.join(dir, 'ledger.jsonl'));
    await ledger.append({ event: 'task.queued', task: 'y' });
    expect((await readLedger(ledger.file)).records.map((r) => r.task)).toEqual(['y']);
  });
});

describe('the ledger in a git work tree', () => {
  it('keeps logs/ out of the repo with a `*` .gitignore', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'headless-ledger-git-'));
    try {
      execFileSync('git', ['init', '-q'], { cwd: dir });
      const l = new Ledger(path.join(dir, 'logs', 'ledger.jsonl'), { fsync: false });
      await l.append({ event: 'worker.start' });
      await l.close();
      expect(
        execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], {
          cwd: dir,
          encoding: 'utf8',
        }),
      ).toBe('');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
