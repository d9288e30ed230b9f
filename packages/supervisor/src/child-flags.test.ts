import { describe, expect, it } from '@jest/globals';
import { childExecArgv, childMallocEnv } from './child-flags.js';

describe('childExecArgv', () => {
  it('gives the worker a small young generation, a slow-growing old one, and keeps the parent flags first', () => {
    expect(childExecArgv('worker', ['--enable-source-maps'])).toEqual([
      '--enable-source-maps',
      '--max-semi-space-size=1',
      '--heap-growing-percent=50',
      '--expose-gc',
    ]);
  });

  it('runs the orchestrator without the optimising compiler', () => {
    expect(childExecArgv('orchestrator', [])).toEqual(['--max-semi-space-size=1', '--lite-mode']);
  });

  it('does not pass the supervisor its own small-daemon flags on to the worker', () => {
    expect(childExecArgv('worker', ['--max-semi-space-size=1', '--lite-mode'])).toEqual([
      '--max-semi-space-size=1',
      '--heap-growing-percent=50',
      '--expose-gc',
    ]);
  });

  it('never overrides a flag the parent sets itself', () => {
    expect(childExecArgv('worker', ['--max-semi-space-size=8', '--heap-growing-percent=100'])).toEqual([
      '--max-semi-space-size=8',
      '--heap-growing-percent=100',
      '--expose-gc',
    ]);
  });
});

describe('childMallocEnv', () => {
  it('caps glibc at two malloc arenas for the children on Linux', () => {
    expect(childMallocEnv('linux', { PATH: '/usr/bin' })).toEqual({ MALLOC_ARENA_MAX: '2' });
  });

  it('leaves a value the user set, in either spelling glibc reads', () => {
    expect(childMallocEnv('linux', { MALLOC_ARENA_MAX: '8' })).toEqual({});
    expect(childMallocEnv('linux', { GLIBC_TUNABLES: 'glibc.malloc.arena_max=4' })).toEqual({});
    expect(childMallocEnv('linux', { GLIBC_TUNABLES: 'glibc.malloc.tcache_count=0' })).toEqual({
      MALLOC_ARENA_MAX: '2',
    });
  });

  it('sets nothing where malloc is not glibc', () => {
    expect(childMallocEnv('win32', {})).toEqual({});
    expect(childMallocEnv('darwin', {})).toEqual({});
  });
});
