import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ledgerOf, makeWorkerRoot, runUntilIdle, type WorkerRoot } from './testing/harness.js';

describe('a 1,000-line inbox file with 10% bad lines', () => {
  let w: WorkerRoot;
  beforeEach(async () => {
    w = await makeWorkerRoot({
      tools: (t) => {
        const git = t.tools.git;
        if (git) Object.assign(git, { writesRepo: false, concurrency: 4 });
      },
      policies: { worker: { concurrency: 4, maxLineBytes: 65536 } },
    });
  });
  afterEach(() => w.cleanup());

  it('runs every valid task exactly once and quarantines every bad line with its number and reason', async () => {
    // 900 real processes: allow for a loaded CI machine.
    const bad: Record<number, RegExp> = {};
    const lines: string[] = [];
    const valid = new Set<string>();
    const badKinds: [string, RegExp][] = [
      ['{"id":"broken","tool":"git"', /invalid JSON/],
      ['{"tool":"git","args":["--version"]}', /missing field "id"/],
      ['{"id":"wrongtype","tool":"git","args":"--version"}', /field "args"/],
      ['{"id":"unknowntool","tool":"hammer"}', /unknown tool "hammer"/],
      ['{"id":"../x","tool":"git","args":["--version"]}', /field "id"/],
      ['{"id":"t-0001","tool":"git","args":["--version"]}', /already exists|earlier in the same input/],
      [`{"id":"huge","tool":"git","prompt":"${'p'.repeat(1024 * 1024)}"}`, /limit is 65536/],
      ['{"id":"nul\u0000","tool":"git"}', /NUL byte/],
      ['{"id":"extra","tool":"git","colour":"red"}', /unknown field "colour"/],
      ['{"id":"outside","tool":"git","repo":"/"}', /outside the allowed roots/],
      ['[{"id":"arr","tool":"git"}]', /must be a JSON object/],
    ];
    for (let i = 1; i <= 1000; i++) {
      if (i % 10 === 0) {
        const [text, reason] = badKinds[(i / 10) % badKinds.length] as [string, RegExp];
        bad[i] = reason;
        lines.push(text);
      } else {
        const id = `t-${String(i).padStart(4, '0')}`;
        valid.add(id);
        // Every line ends in CRLF and a few carry a stray BOM (files concatenated from Windows tools).
        lines.push(`${i % 7 === 0 ? '\uFEFF' : ''}{"id":"${id}","tool":"git","args":["--version"]}`);
      }
    }
    await fs.mkdir(path.join(w.root, '.tasks', 'inbox'), { recursive: true });
    await fs.writeFile(path.join(w.root, '.tasks', 'inbox', 'big.jsonl'), `\uFEFF${lines.join('\r\n')}\r\n`);

    const summary = await runUntilIdle(w);
    expect(summary.finished['done']).toBe(valid.size);
    const done = new Set(await w.store.ids('done'));
    expect(done).toEqual(valid);
    const starts = (await ledgerOf(w)).filter((r) => r.event === 'attempt.start');
    expect(starts).toHaveLength(valid.size);
    expect(new Set(starts.map((r) => r.task)).size).toBe(valid.size);

    const rejected = await w.store.listRejected();
    expect(rejected).toHaveLength(Object.keys(bad).length);
    for (const r of rejected) {
      const expected = bad[r.line];
      expect({ line: r.line, file: r.file, ok: expected?.test(r.reason) }).toEqual({
        line: r.line,
        file: 'big.jsonl',
        ok: true,
      });
    }
    const huge = rejected.find((r) => /limit is 65536/.test(r.reason));
    expect(huge?.rawBytes).toBeGreaterThan(1024 * 1024);
    expect(huge?.raw.length).toBeLessThan(70 * 1024);
    // The inbox file is kept where the user can find it.
    const ingested = await fs.readdir(path.join(w.root, '.tasks', 'ingested'));
    expect(ingested.some((n) => n.endsWith('big.jsonl'))).toBe(true);
  }, 240_000);

  it('never duplicates tasks when an inbox file is read again after a crash', async () => {
    const text =
      ['a', 'b', 'c'].map((id) => `{"id":"${id}","tool":"git","args":["--version"]}`).join('\n') + '\n';
    const inbox = path.join(w.root, '.tasks', 'inbox');
    await fs.mkdir(inbox, { recursive: true });
    await fs.writeFile(path.join(inbox, 'x.jsonl'), text);
    await runUntilIdle(w);
    // The same file appears again (a crash before it was moved away): nothing new runs, nothing is rejected.
    await fs.writeFile(path.join(inbox, 'x.jsonl'), text);
    await runUntilIdle(w);
    expect((await ledgerOf(w)).filter((r) => r.event === 'attempt.start')).toHaveLength(3);
    expect(await w.store.listRejected()).toHaveLength(0);
  });
});
