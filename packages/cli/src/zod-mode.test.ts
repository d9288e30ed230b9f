import { describe, expect, it } from '@jest/globals';
import { zodJitless } from './zod-mode.js';

const argv = (...args: string[]) => ['node', 'headless', ...args];

describe('zodJitless', () => {
  it('is on for short commands, help and unknown commands', () => {
    expect(zodJitless(argv('status', '--json'))).toBe(true);
    expect(zodJitless(argv('--root', '/r', 'show', 't1'))).toBe(true);
    expect(zodJitless(argv('--help'))).toBe(true);
    expect(zodJitless(argv('no-such-command'))).toBe(true);
  });

  it('is off for the processes that live long: the supervisor, the worker, run', () => {
    expect(zodJitless(argv('start'))).toBe(false);
    expect(zodJitless(argv('--root', 'start', 'worker'))).toBe(false);
    expect(zodJitless(argv('run', '--root', '/r'))).toBe(false);
  });
});
