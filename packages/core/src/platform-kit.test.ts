import { describe, expect, it } from '@jest/globals';
import { linuxOnly, onlyOn, platformGate, posixOnly } from './platform-kit.js';

describe('platform gates', () => {
  it('keeps the title where the test runs and adds the reason where it is skipped', () => {
    const runs = platformGate(true, 'on Windows', 'uses process groups');
    expect(runs).toMatchObject({ skipped: false });
    expect(runs.title('ends the tree')).toBe('ends the tree');
    const skipped = platformGate(false, 'on Windows', ' uses process groups ');
    expect(skipped.skipped).toBe(true);
    expect(skipped.title('ends the tree')).toBe('ends the tree [skipped on Windows: uses process groups]');
  });

  it('refuses a gate without a specific reason', () => {
    expect(() => posixOnly('')).toThrow(/specific reason/);
    expect(() => posixOnly('posix')).toThrow(/specific reason/);
  });

  it('skips POSIX tests on win32 only, Linux tests off Linux, and onlyOn off its list', () => {
    const reason = 'signals the process group';
    expect(posixOnly(reason, 'win32').skipped).toBe(true);
    expect(posixOnly(reason, 'linux').skipped).toBe(false);
    expect(posixOnly(reason, 'darwin').skipped).toBe(false);
    expect(linuxOnly(reason, 'linux').skipped).toBe(false);
    expect(linuxOnly(reason, 'darwin').skipped).toBe(true);
    expect(linuxOnly(reason, 'win32').skipped).toBe(true);
    expect(onlyOn(['linux', 'win32'], reason, 'win32').skipped).toBe(false);
    expect(onlyOn(['linux', 'win32'], reason, 'freebsd').skipped).toBe(true);
  });
});

// The gate's own it/describe, run for real here: these must run on this platform.
const here = onlyOn([process.platform], 'always runs: it checks that a gate that runs, runs');
here.describe('a gate that runs', () => {
  here.it('runs its tests', () => {
    expect(here.skipped).toBe(false);
  });
});
here.describeEach(['a', 'b'] as const)('describeEach %s', (c) => {
  it('gets its case', () => {
    expect(['a', 'b']).toContain(c);
  });
});
