import { describe, expect, it } from '@jest/globals';
import { makeRedactor } from './redact.js';

describe('makeRedactor', () => {
  it('replaces every occurrence of every secret', () => {
    const r = makeRedactor(['sk-abc123', 'ghp_xyz789']);
    expect(r('key sk-abc123 and ghp_xyz789, again sk-abc123')).toBe('key *** and ***, again ***');
  });

  it('replaces the longest secret whole when one contains another', () => {
    expect(makeRedactor(['abcd', 'abcdefgh'])('x abcdefgh y abcd')).toBe('x *** y ***');
  });

  it('treats regex characters in secrets literally', () => {
    expect(makeRedactor(['a.b*c+(d)$'])('a.b*c+(d)$ axbbbc')).toBe('*** axbbbc');
  });

  it('returns text unchanged without secrets, and ignores empty ones', () => {
    expect(makeRedactor([])('plain')).toBe('plain');
    expect(makeRedactor(['', ''])('plain')).toBe('plain');
  });

  it('stays fast with many secrets and many lines', () => {
    const secrets = Array.from({ length: 200 }, (_, i) => `secret-value-${i}-${'z'.repeat(i % 17)}`);
    const r = makeRedactor(secrets);
    const line = `some ordinary output line with ${secrets[150]} in it`;
    const started = Date.now();
    for (let i = 0; i < 20000; i++) r(line);
    expect(r(line)).toBe('some ordinary output line with *** in it');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
