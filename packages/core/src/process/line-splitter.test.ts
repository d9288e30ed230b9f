import { describe, expect, it } from '@jest/globals';
import { LineSplitter } from './line-splitter.js';
import { TailBuffer } from './tail-buffer.js';

function split(chunks: Array<string | Buffer>, max?: number): string[] {
  const out: string[] = [];
  const s = new LineSplitter((l) => out.push(l), max);
  chunks.forEach((c) => s.push(c));
  s.end();
  return out;
}

describe('LineSplitter', () => {
  it('joins lines split across chunks, drops \\r\\n, and emits the unterminated last line', () => {
    expect(split(['a', 'b\nc', 'd\r\n', '\nlast'])).toEqual(['ab', 'cd', '', 'last']);
  });

  it('decodes a multi-byte character split across chunks', () => {
    const bytes = Buffer.from('héllo €\n');
    expect(split([bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9)])).toEqual(['héllo €']);
  });

  it('cuts a line longer than the limit into pieces instead of holding it', () => {
    expect(split(['abcdefghij', 'k\n'], 4)).toEqual(['abcd', 'efgh', 'ijk']);
  });
});

describe('TailBuffer', () => {
  it('keeps the last lines within the byte budget', () => {
    const t = new TailBuffer(10);
    ['one', 'two', 'three', 'four'].forEach((l) => t.push(l));
    expect(t.toString()).toBe('three\nfour');
    expect(t.truncated).toBe(true);
  });

  it('cuts a single line longer than the budget to its end', () => {
    const t = new TailBuffer(5);
    t.push('0123456789');
    expect(t.toString()).toBe('56789');
  });

  it('keeps everything under the budget', () => {
    const t = new TailBuffer(100);
    for (let i = 0; i < 5; i++) t.push(`l${i}`);
    expect(t.toString()).toBe('l0\nl1\nl2\nl3\nl4');
    expect(t.truncated).toBe(false);
  });
});
