import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { TASK_MARK_ENV } from '@headless/core/process/task-marker';
import { verifyEnv, verifyLogDir } from './verify-gate.js';

describe('the verify gate environment', () => {
  it("carries the attempt's marker and keeps Python caches out of the worktree, keeping the user's pytest options", () => {
    const env = verifyEnv({ PATH: '/bin', PYTEST_ADDOPTS: '-q' }, 'abc:1:t#2');
    expect(env).toMatchObject({
      PATH: '/bin',
      [TASK_MARK_ENV]: 'abc:1:t#2',
      PYTHONDONTWRITEBYTECODE: '1',
      RUFF_NO_CACHE: 'true',
      PYTEST_ADDOPTS: '-q -p no:cacheprovider',
    });
    expect(verifyEnv({}, 'm')['PYTEST_ADDOPTS']).toBe('-p no:cacheprovider');
  });

  it('keeps each round in its own log folder', () => {
    expect(verifyLogDir(path.join('r', 'logs'), 't1', 2)).toBe(
      path.join('r', 'logs', 'verify', 't1', 'round-2'),
    );
  });
});
