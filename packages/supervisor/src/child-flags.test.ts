import { describe, expect, it } from '@jest/globals';
import { childExecArgv } from './child-flags.js';

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
