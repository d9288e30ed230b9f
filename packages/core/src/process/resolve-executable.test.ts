import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { envValue, resolveExecutable } from './resolve-executable.js';

describe('resolveExecutable', () => {
  it('finds a program on the given PATH, not the runner one', () => {
    const nodeDir = path.dirname(process.execPath);
    expect(
      resolveExecutable('node', { env: { PATH: `/nonexistent:${nodeDir}` }, cwd: '/', platform: 'linux' }),
    ).toBe(process.execPath);
    expect(
      resolveExecutable('node', { env: { PATH: '/nonexistent' }, cwd: '/', platform: 'linux' }),
    ).toBeUndefined();
    expect(resolveExecutable('node', { env: {}, cwd: '/', platform: 'linux' })).toBeUndefined();
  });

  it('takes an absolute path or a path with a separator as it is', () => {
    expect(resolveExecutable(process.execPath, { env: {}, cwd: '/', platform: 'linux' })).toBe(
      process.execPath,
    );
    const rel = path.relative('/', process.execPath);
    expect(resolveExecutable(`./${rel}`, { env: {}, cwd: '/', platform: 'linux' })).toBe(process.execPath);
  });

  it('on Windows reads Path case-insensitively and tries PATHEXT', () => {
    const files = new Set(['C:\\npm\\claude.cmd', 'C:\\bin\\git.exe', 'D:\\tools\\x.exe']);
    // Windows file names compare case-insensitively; PATHEXT gives upper-case extensions.
    const isExecutable = (f: string): boolean => [...files].some((x) => x.toLowerCase() === f.toLowerCase());
    const env = { Path: 'C:\\bin;"C:\\npm"', PATHEXT: '.COM;.EXE;.BAT;.CMD' };
    expect(resolveExecutable('claude', { env, cwd: 'C:\\', platform: 'win32', isExecutable })).toBe(
      'C:\\npm\\claude.CMD',
    );
    expect(resolveExecutable('git', { env, cwd: 'C:\\', platform: 'win32', isExecutable })).toBe(
      'C:\\bin\\git.EXE',
    );
    expect(resolveExecutable('D:\\tools\\x', { env, cwd: 'C:\\', platform: 'win32', isExecutable })).toBe(
      'D:\\tools\\x.EXE',
    );
    expect(resolveExecutable('codex', { env, cwd: 'C:\\', platform: 'win32', isExecutable })).toBeUndefined();
  });

  it('reads variables case-insensitively only on Windows', () => {
    expect(envValue({ Path: 'a' }, 'PATH', 'win32')).toBe('a');
    expect(envValue({ Path: 'a' }, 'PATH', 'linux')).toBeUndefined();
  });
});
