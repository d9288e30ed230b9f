import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect } from '@jest/globals';
import { PoliciesConfig } from '@headless/core/config/schema';
import { testTasks } from '@headless/test-support/tasks';
import { isAlive, processStartTime } from '@headless/core/process/alive';
import { FAKES_DIR } from '@headless/test-support/fakes';
import { makeTempRoot } from '@headless/test-support/temp-root';
import { waitFor } from '@headless/test-support/wait-for';
import { recover } from './recover.js';
import { posixOnly } from '@headless/test-support/platform';

const processGroups = posixOnly(
  "a tool's process group outliving its leader; Windows has no process groups (a Job Object ends the tree there)",
);

describe('recovery of a dead worker whose tool had exited but left its group behind', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  const stray: number[] = [];
  beforeEach(async () => ({ root, cleanup } = await makeTempRoot('headless-orphan-')));
  afterEach(async () => {
    for (const p of stray.splice(0)) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await cleanup();
  });

  processGroups.it(
    'ends a grandchild that ignores SIGTERM, left in the tool process group',
    async () => {
      // The tool as the runner starts it: a group leader; it exits at once and leaves a stubborn grandchild.
      const tool = spawn(process.execPath, [path.join(FAKES_DIR, 'slowtool'), '50', '0', '--grandchild'], {
        detached: true,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const toolPid = tool.pid as number;
      const toolStart = processStartTime(toolPid);
      let out = '';
      tool.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const grandchild = await waitFor('the grandchild', () => {
        const m = /GRANDCHILD_PID=(\d+)/.exec(out);
        return m ? Number(m[1]) : undefined;
      });
      stray.push(grandchild);
      await waitFor('the tool to exit', () => tool.exitCode !== null);

      const tasks = testTasks(root);
      const store = tasks.store;
      await tasks.enqueue([{ id: 't', tool: 'git' }]);
      // Claimed by a worker that is gone (a pid that is not alive), which had recorded the tool's pid.
      await tasks.claim('t');
      await tasks.close();
      await store.update('t', 'processing', (r) => ({
        ...r,
        claim: { ...(r.claim as NonNullable<typeof r.claim>), toolPid, ...(toolStart ? { toolStart } : {}) },
      }));

      const report = await recover({
        root,
        policies: PoliciesConfig.parse({}),
        fsync: false,
        killGraceMs: 200,
      });
      expect(report.requeued).toEqual(['t']);
      expect(report.killed).toContain(grandchild);
      await waitFor('the grandchild to be gone', () => !isAlive(grandchild), 3000);
    },
    20000,
  );
});
