import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { runCli } from '../testing/cli-run.js';
import type { FolderStore } from '@headless/core/queue/folder-store';
import { testTasks } from '@headless/test-support/tasks';
import { makeTempRoot } from '@headless/test-support/temp-root';

const cli = runCli;

describe('headless retry', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let store: FolderStore;
  beforeEach(async () => {
    ({ root, cleanup } = await makeTempRoot());
    store = testTasks(root).store;
  });
  afterEach(() => cleanup());

  it('puts a failed task back in the queue with fresh attempts', async () => {
    const tasks = testTasks(root);
    await tasks.enqueue([{ id: 'f1', tool: 'git', args: ['status'] }]);
    await tasks.fail('f1');
    await tasks.close();
    const r = cli(root, 'retry', 'f1');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('1 task(s) back in the queue');
    expect((await store.get('f1'))?.record).toMatchObject({ state: 'queued', attempts: 0 });
  });

  it('resubmits a rejected line once it is valid, and discards the ones that are not on request', async () => {
    await store.rejectLine({
      file: 'a.jsonl',
      line: 1,
      reason: 'unknown tool "hammer"',
      raw: '{"id":"h1","tool":"hammer"}',
      rawBytes: 27,
      at: 'x',
    });
    await store.rejectLine({
      file: 'a.jsonl',
      line: 2,
      reason: 'invalid JSON',
      raw: '{"id":',
      rawBytes: 6,
      at: 'x',
    });
    let r = cli(root, 'retry', '--quarantined');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/a\.jsonl:1: still rejected: unknown tool "hammer"/);
    await fs.mkdir(path.join(root, 'config'));
    await fs.writeFile(
      path.join(root, 'config', 'tools.json'),
      JSON.stringify({ tools: { hammer: { executable: 'true' } } }),
    );
    r = cli(root, 'retry', '--quarantined', '--discard-rejected');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('1 rejected line(s) resubmitted, 1 discarded');
    const inbox = await fs.readdir(path.join(root, '.tasks', 'inbox'));
    expect(inbox).toHaveLength(1);
    expect(await fs.readFile(path.join(root, '.tasks', 'inbox', inbox[0] as string), 'utf8')).toBe(
      '{"id":"h1","tool":"hammer"}\n',
    );
    expect(await store.listRejected()).toEqual([]);
  });

  it('closes a breaker in the saved state when no worker runs', async () => {
    const run = path.join(root, '.tasks', 'run');
    await fs.mkdir(run, { recursive: true });
    await fs.writeFile(
      path.join(run, 'breakers.json'),
      JSON.stringify({ claude: { policy: {} }, codex: { policy: {} } }),
    );
    const r = cli(root, 'retry', '--reset-breaker', 'claude');
    expect(r.status).toBe(0);
    expect(
      Object.keys(JSON.parse(await fs.readFile(path.join(run, 'breakers.json'), 'utf8')) as object),
    ).toEqual(['codex']);
    expect(cli(root, 'retry', '--reset-breaker', 'hammer').stderr).toMatch(/unknown tool "hammer"/);
  });
});
