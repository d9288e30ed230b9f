import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect } from '@jest/globals';
import { isAlive } from '@headless/core/process/alive';
import { testTasks } from '@headless/test-support/tasks';
import { waitFor } from '@headless/test-support/wait-for';
import {
  dropTasks,
  ledgerOf,
  makeWorkerRoot,
  runUntilIdle,
  stateOf,
  type WorkerRoot,
} from './testing/harness.js';
import { linuxOnly, posixOnly } from '@headless/test-support/platform';

const setsidEscape = linuxOnly('starts an escapee with setsid and finds it through /proc');
const symlinks = posixOnly(
  'makes symlinks, which Windows allows only with a privilege (Developer Mode or admin)',
);

// A tool that starts a process in a session of its own (it leaves the attempt's process group) and exits.
const ESCAPE = `
const c = require('child_process').spawn('setsid', ['sleep', '300'], { detached: true, stdio: 'ignore' });
c.unref();
console.log('ESCAPED_PID=' + c.pid);
`;

describe('surviving the night, in the worker', () => {
  let w: WorkerRoot;
  beforeEach(async () => {
    w = await makeWorkerRoot({ policies: { retry: { maxAttempts: 1 } } });
  });
  afterEach(() => w.cleanup());

  setsidEscape.it(
    'ends a process that escaped its attempt (setsid) when the attempt ends, and says how many in the ledger',
    async () => {
      await dropTasks(w.root, 'a.jsonl', [{ id: 'esc', tool: 'node', args: ['-e', ESCAPE] }]);
      await runUntilIdle(w);
      const log = await fs.readFile(path.join(w.root, 'logs', 'task_esc.log'), 'utf8');
      const pid = Number(/ESCAPED_PID=(\d+)/.exec(log)?.[1]);
      expect(pid).toBeGreaterThan(0);
      await waitFor('the escaped process to be gone', () => !isAlive(pid), 5000);
      const end = (await ledgerOf(w, 'esc')).find((r) => r.event === 'attempt.end');
      expect(end).toMatchObject({ outcome: 'success', survivorsKilled: 1 });
    },
  );

  // prettier-ignore
  symlinks.it('re-checks the repo at run time: a symlink re-pointed outside the allowed roots fails the task, nothing runs', async () => {
    const inside = path.join(w.root, 'inside');
    await fs.mkdir(inside);
    const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'headless-outside-'));
    await fs.symlink(inside, path.join(w.root, 'repo-link'));
    const tasks = testTasks(w.root);
    await tasks.enqueue([
      { id: 'moved', tool: 'node', repo: 'repo-link', args: ['-e', "require('fs').writeFileSync('ran','')"] },
    ]);
    await tasks.close();
    // Between intake and claim the link is pointed elsewhere.
    await fs.rm(path.join(w.root, 'repo-link'));
    await fs.symlink(outside, path.join(w.root, 'repo-link'));
    await runUntilIdle(w);
    expect(await stateOf(w, 'moved')).toBe('failed');
    const end = (await ledgerOf(w, 'moved')).find((r) => r.event === 'task.failed');
    expect(String(end?.reason)).toMatch(/allowedRepoRoots/);
    await expect(fs.access(path.join(outside, 'ran'))).rejects.toThrow();
    await fs.rm(outside, { recursive: true, force: true });
  });
});
