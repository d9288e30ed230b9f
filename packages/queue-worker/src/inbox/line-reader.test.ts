import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { makeTempRoot } from '@headless/test-support/temp-root';
import { readLines, type InboxLine } from './line-reader.js';

describe('readLines', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ root, cleanup } = await makeTempRoot()));
  afterEach(() => cleanup());

  const read = async (content: Buffer | string, max = 100) => {
    const f = path.join(root, 'f.jsonl');
    await fs.writeFile(f, content);
    const out: InboxLine[] = [];
    for await (const l of readLines(f, max)) out.push(l);
    return out;
  };

  it('strips a BOM and CRLF endings and numbers lines from 1', async () => {
    const lines = await read('\uFEFF{"a":1}\r\n{"b":2}\r\n');
    expect(lines.map((l) => [l.line, l.text])).toEqual([
      [1, '{"a":1}'],
      [2, '{"b":2}'],
    ]);
  });
  it('reports an over-long line without holding it, and keeps reading after it', async () => {
    const lines = await read(`${'x'.repeat(5000)}\n{"ok":true}\nlast-without-newline`);
    expect(lines[0]).toMatchObject({ line: 1, bytes: 5000, tooLong: true });
    expect(lines[0]?.text.length).toBeLessThanOrEqual(104);
    expect(lines[1]).toMatchObject({ line: 2, text: '{"ok":true}', tooLong: false });
    expect(lines[2]).toMatchObject({ line: 3, text: 'last-without-newline' });
  });
});
