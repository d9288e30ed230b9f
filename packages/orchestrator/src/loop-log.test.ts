import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { layout } from '@headless/core/paths';
import { makeTempRoot } from '@headless/test-support/temp-root';
import { loopLogPath, openLoopLog } from './loop-log.js';
import { readLoopsFile, writeLoopsFile } from './loops-file.js';
import { initialLoopState } from './loop-state.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function tempRoot(): Promise<string> {
  const { root, cleanup } = await makeTempRoot('headless-looplog-');
  cleanups.push(cleanup);
  return root;
}

describe('openLoopLog', () => {
  it('writes one timestamped record per line, appending across openings', async () => {
    const file = loopLogPath(path.join(await tempRoot(), 'logs'), 'L');
    const clock = { now: () => Date.UTC(2026, 0, 2, 3, 4, 5, 6) };
    const first = openLoopLog(file, { maxBytes: 10_000, clock });
    first.line('meta', '$ git status');
    first.line('stdout', 'a\nb');
    await first.close();
    const second = openLoopLog(file, { maxBytes: 10_000, clock });
    second.line('stderr', 'oops');
    await second.close();
    expect(fs.readFileSync(file, 'utf8')).toBe(
      [
        '2026-01-02T03:04:05.006Z [meta] $ git status',
        '2026-01-02T03:04:05.006Z [stdout] a',
        '2026-01-02T03:04:05.006Z [stdout] b',
        '2026-01-02T03:04:05.006Z [stderr] oops',
        '',
      ].join('\n'),
    );
  });

  it('rotates to <Loop>.log.1 at maxBytes, so a loop log never grows past twice the cap', async () => {
    const file = loopLogPath(path.join(await tempRoot(), 'logs'), 'L');
    const log = openLoopLog(file, { maxBytes: 1000 });
    for (let i = 0; i < 200; i++) log.line('stdout', `line ${i} ${'x'.repeat(20)}`);
    await log.close();
    expect(fs.statSync(file).size).toBeLessThanOrEqual(1000);
    expect(fs.statSync(`${file}.1`).size).toBeLessThanOrEqual(1000);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/line 199 x+\n$/);
  });

  it('reports a write failure once and keeps going', async () => {
    const root = await tempRoot();
    // A file where the folder should be: every open fails.
    fs.writeFileSync(path.join(root, 'logs'), '');
    const errors: unknown[] = [];
    const log = openLoopLog(loopLogPath(path.join(root, 'logs'), 'L'), {
      maxBytes: 1000,
      onError: (e) => errors.push(e),
    });
    log.line('meta', 'one');
    log.line('meta', 'two');
    await log.close();
    expect(errors).toHaveLength(1);
  });
});

describe('loops.json', () => {
  it('is replaced whole and leaves no temp file behind', async () => {
    const l = layout(await tempRoot());
    expect(await readLoopsFile(l)).toBeUndefined();
    await writeLoopsFile(l, { pid: 1, updatedAt: 'x', loops: { A: initialLoopState(true, 60) } });
    await writeLoopsFile(l, { pid: 2, updatedAt: 'y', loops: {} });
    expect(await readLoopsFile(l)).toEqual({ pid: 2, updatedAt: 'y', loops: {} });
    expect(fs.readdirSync(l.runDir)).toEqual(['loops.json']);
  });
});
