import { spawn, spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from '@jest/globals';
import { isAlive } from './alive.js';
import { TASK_MARK_ENV, markInEnviron, parseTaskMark, sweepOrphanedTools, taskMark } from './task-marker.js';
import { waitFor } from './test-kit.js';
import { linuxOnly } from '../platform-kit.js';

const environSweep = linuxOnly('the sweep reads /proc/<pid>/environ and kills process groups');

describe('task markers', () => {
  const started: number[] = [];
  afterEach(() => {
    for (const pid of started.splice(0)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  });

  const sleeper = (mark: string): number => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      env: { ...process.env, [TASK_MARK_ENV]: mark },
      detached: true,
      stdio: 'ignore',
    });
    child.unref();
    started.push(child.pid as number);
    return child.pid as number;
  };

  it('round-trips a marker through an environment block', () => {
    const mark = taskMark('/work/root', 1234, 'build-1#2');
    expect(parseTaskMark(mark)).toMatchObject({ owner: 1234, task: 'build-1#2' });
    expect(markInEnviron(`PATH=/bin\0${TASK_MARK_ENV}=${mark}\0HOME=/root\0`)).toBe(mark);
  });

  // The sweep reads /proc/<pid>/environ, which only Linux has; elsewhere it finds nothing by design.
  environSweep.it('ends the marked tools of a dead owner and leaves those of a live one', async () => {
    const deadOwner = spawnSync(process.execPath, ['-e', '0']).pid;
    const orphan = sleeper(taskMark('/tmp/root-a', deadOwner, 'orphan#1'));
    const owned = sleeper(taskMark('/tmp/root-a', process.pid, 'owned#1'));
    const otherRoot = sleeper(taskMark('/tmp/root-b', deadOwner, 'other#1'));
    await waitFor('the sleepers to start', () => [orphan, owned, otherRoot].every(isAlive));
    const swept = await sweepOrphanedTools('/tmp/root-a');
    expect(swept.killed.map((k) => [k.pid, k.task])).toEqual([[orphan, 'orphan#1']]);
    await waitFor('the orphan to be gone', () => !isAlive(orphan), 3000);
    expect(isAlive(owned)).toBe(true);
    expect(isAlive(otherRoot)).toBe(true);
  });
});
