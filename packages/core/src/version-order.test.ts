import { describe, expect, it } from '@jest/globals';
import { isOlderVersion } from './version-order.js';

describe('isOlderVersion', () => {
  it('compares major, minor and patch as numbers', () => {
    expect(isOlderVersion('20.20.2', '22.13.0')).toBe(true);
    expect(isOlderVersion('v22.12.9', '22.13.0')).toBe(true);
    expect(isOlderVersion('22.13.0', '22.13.0')).toBe(false);
    expect(isOlderVersion('22.13.1', '22.13.0')).toBe(false);
    expect(isOlderVersion('24.1.0', '22.13.0')).toBe(false);
    // 9 < 13 as numbers, not as text
    expect(isOlderVersion('22.9.0', '22.13.0')).toBe(true);
    expect(isOlderVersion('100.0.0', '22.13.0')).toBe(false);
  });

  it('reads pre-release versions by their numbers, and two-part versions (glibc) with a patch of 0', () => {
    expect(isOlderVersion('23.0.0-nightly20241010', '22.13.0')).toBe(false);
    expect(isOlderVersion('22.0.0-rc.1', '22.13.0')).toBe(true);
    expect(isOlderVersion('2.28', '2.29')).toBe(true);
    expect(isOlderVersion('2.29', '2.29')).toBe(false);
  });

  it('takes what is not a version as 0, so older than any real minimum', () => {
    expect(isOlderVersion('', '2.29')).toBe(true);
    expect(isOlderVersion('unknown', '2.29')).toBe(true);
  });
});
