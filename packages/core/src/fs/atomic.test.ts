import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from '../process/test-kit.js';
import { appendLineDurable, renameRetryDelayMs, renameWithRetry, writeFileAtomic } from './atomic.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

/** A rename that fails with `code` the first `times` calls, then renames for real. */
function flakyRename(
  code: string,
  times: number,
): { rename: (a: string, b: string) => Promise<void>; calls: () => number } {
  let n = 0;
  return {
    rename: async (a, b) => {
      n++;
      if (n <= times) throw errno(code);
      await fs.rename(a, b);
    },
    calls: () => n,
  };
}

describe('writeFileAtomic', () => {
  it('replaces the file whole and leaves no temp file behind', async () => {
    const file = path.join(dir, 'state.json');
    await fs.writeFile(file, 'old');
    await writeFileAtomic(file, '{"new":true}\n');
    expect(await fs.readFile(file, 'utf8')).toBe('{"new":true}\n');
    expect(await fs.readdir(dir)).toEqual(['state.json']);
  });

  it('leaves the old content and no temp file when the rename fails', async () => {
    const target = path.join(dir, 'is-a-folder');
    await fs.mkdir(path.join(target, 'child'), { recursive: true });
    await expect(writeFileAtomic(target, 'data')).rejects.toThrow();
    expect((await fs.readdir(dir)).sort()).toEqual(['is-a-folder']);
  });

  it('works without fsync and with Windows rules (no folder fsync)', async () => {
    const file = path.join(dir, 'a.txt');
    await writeFileAtomic(file, Buffer.from('bytes'), { fsync: false });
    await writeFileAtomic(file, 'win', { platform: 'win32' });
    expect(await fs.readFile(file, 'utf8')).toBe('win');
  });
});

describe('renameWithRetry', () => {
  it('retries EPERM/EBUSY/EACCES on Windows until the rename succeeds', async () => {
    for (const code of ['EPERM', 'EBUSY', 'EACCES']) {
      const from = path.join(dir, `from-${code}`);
      const to = path.join(dir, `to-${code}`);
      await fs.writeFile(from, code);
      const flaky = flakyRename(code, 3);
      const slept: number[] = [];
      await renameWithRetry(from, to, {
        platform: 'win32',
        rename: flaky.rename,
        sleep: (ms) => Promise.resolve(void slept.push(ms)),
      });
      expect(flaky.calls()).toBe(4);
      expect(slept).toHaveLength(3);
      expect(await fs.readFile(to, 'utf8')).toBe(code);
    }
  });

  it('does not retry those codes on POSIX', async () => {
    const flaky = flakyRename('EACCES', 1);
    await expect(
      renameWithRetry('a', 'b', { platform: 'linux', rename: flaky.rename }),
    ).rejects.toMatchObject({ code: 'EACCES' });
    expect(flaky.calls()).toBe(1);
  });

  it('rethrows ENOENT at once (a lost race), even on Windows', async () => {
    const slept: number[] = [];
    await expect(
      renameWithRetry(path.join(dir, 'gone'), path.join(dir, 'x'), {
        platform: 'win32',
        sleep: (ms) => Promise.resolve(void slept.push(ms)),
      }),
    ).rejects.toMatchObject({ code: 'ENOENT' });
    expect(slept).toEqual([]);
  });

  it('gives up after the time budget with the last error', async () => {
    let now = 0;
    const flaky = flakyRename('EBUSY', Number.POSITIVE_INFINITY);
    await expect(
      renameWithRetry('a', 'b', {
        platform: 'win32',
        rename: flaky.rename,
        clock: { now: () => now },
        sleep: (ms) => Promise.resolve(void (now += ms)),
        random: () => 0.5,
      }),
    ).rejects.toMatchObject({ code: 'EBUSY' });
    expect(now).toBeLessThanOrEqual(30_000);
    expect(now).toBeGreaterThan(25_000);
  });

  it('backs off from 10 ms doubling to a 1 s cap, jittered', () => {
    expect([0, 1, 2, 6, 7, 20].map((a) => renameRetryDelayMs(a, () => 0.5))).toEqual([
      10, 20, 40, 640, 1000, 1000,
    ]);
    expect(renameRetryDelayMs(3, () => 0)).toBe(40);
    expect(renameRetryDelayMs(3, () => 0.999)).toBe(120);
  });
});

describe('appendLineDurable', () => {
  it('appends whole lines, adding the newline once', async () => {
    const file = path.join(dir, 'ledger.jsonl');
    await appendLineDurable(file, '{"a":1}');
    await appendLineDurable(file, '{"b":2}\n', { fsync: false });
    expect(await fs.readFile(file, 'utf8')).toBe('{"a":1}\n{"b":2}\n');
  });

  it('refuses a line with a line break inside', async () => {
    await expect(appendLineDurable(path.join(dir, 'x'), 'one\ntwo')).rejects.toThrow(/line break/);
  });

  it('never interleaves lines from concurrent appenders', async () => {
    const file = path.join(dir, 'ledger.jsonl');
    const lines = Array.from({ length: 200 }, (_, i) => `${i}:${'y'.repeat(2000)}`);
    await Promise.all(lines.map((l) => appendLineDurable(file, l, { fsync: false })));
    const got = (await fs.readFile(file, 'utf8')).trimEnd().split('\n');
    expect(got.sort()).toEqual([...lines].sort());
  });
});
