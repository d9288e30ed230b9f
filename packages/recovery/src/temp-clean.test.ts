import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { PoliciesConfig } from '@headless/core/config/schema';
import { makeTempRoot } from '@headless/test-support/temp-root';
import { testTasks, type TestTasks } from '@headless/test-support/tasks';
import { recover } from './recover.js';

describe('recovery of temp files an interrupted write left in the state folders', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let tasks: TestTasks;
  const policies = PoliciesConfig.parse({});

  beforeEach(async () => {
    ({ root, cleanup } = await makeTempRoot('headless-temps-'));
    tasks = testTasks(root);
    await tasks.enqueue([{ id: 'a', tool: 'git', args: ['status'] }]);
  });
  afterEach(async () => {
    await tasks.close();
    await cleanup();
  });

  it('removes every <state>/*.tmp (dot-named too) and keeps the records and other files', async () => {
    const tasksDir = path.join(root, '.tasks');
    const temps = [
      path.join('queued', 'a.json.4242.0a1b2c.tmp'),
      path.join('done', '.b.json.tmp'),
      path.join('failed', 'c.json.77.ffee00.tmp'),
    ];
    for (const rel of temps) await fs.writeFile(path.join(tasksDir, rel), '{"torn');
    // A folder named like a temp is not a temp file: left alone.
    await fs.mkdir(path.join(tasksDir, 'processing', 'odd.tmp'));

    const report = await recover({ root, policies, fsync: false });

    expect(report.cleaned.filter((c) => c.endsWith('.tmp')).sort()).toEqual(
      temps.map((rel) => path.join('.tasks', rel)).sort(),
    );
    for (const rel of temps) await expect(fs.access(path.join(tasksDir, rel))).rejects.toThrow();
    await expect(fs.access(path.join(tasksDir, 'processing', 'odd.tmp'))).resolves.toBeUndefined();
    expect((await tasks.store.list('queued')).map((r) => r.id)).toEqual(['a']);
  });
});
