import { describe, expect, it } from '@jest/globals';
import { settleDecision } from './settle.js';

describe('settleDecision', () => {
  it('waits while a file grows and reads it once still and newline-terminated', () => {
    let s = settleDecision(undefined, { size: 10, mtimeMs: 1000, endsWithNewline: true }, 1000, 200, 2000);
    expect(s.ready).toBe(false);
    s = settleDecision(s.next, { size: 20, mtimeMs: 1100, endsWithNewline: true }, 1100, 200, 2000);
    expect(s.ready).toBe(false);
    s = settleDecision(s.next, { size: 20, mtimeMs: 1100, endsWithNewline: true }, 1350, 200, 2000);
    expect(s.ready).toBe(true);
  });
  it('holds a file without a final newline until it has been still for the stale period', () => {
    let s = settleDecision(undefined, { size: 10, mtimeMs: 1000, endsWithNewline: false }, 1000, 200, 2000);
    s = settleDecision(s.next, { size: 10, mtimeMs: 1000, endsWithNewline: false }, 1500, 200, 2000);
    expect(s.ready).toBe(false);
    s = settleDecision(s.next, { size: 10, mtimeMs: 1000, endsWithNewline: false }, 3100, 200, 2000);
    expect(s.ready).toBe(true);
  });
});
