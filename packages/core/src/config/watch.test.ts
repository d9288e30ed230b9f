import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import path from 'node:path';
import { layout } from '../paths.js';
import { tempDir, waitFor } from '../process/test-kit.js';
import { loadConfig, type LoadedConfig } from './load.js';
import { watchConfig, type ConfigWatcher } from './watch.js';

let root: string;
let cleanup: () => Promise<void>;
let watcher: ConfigWatcher | undefined;
let changes: LoadedConfig[];
let errors: string[];
const policies = (root: string) => path.join(root, 'config', 'policies.json');

beforeEach(async () => {
  ({ dir: root, cleanup } = await tempDir('headless-watch-'));
  await fs.mkdir(path.join(root, 'config'));
  await fs.writeFile(policies(root), JSON.stringify({ retry: { maxAttempts: 3 } }));
  changes = [];
  errors = [];
});
afterEach(async () => {
  watcher?.close();
  await cleanup();
});

async function start(pollMs = 60_000) {
  const l = layout(root);
  watcher = watchConfig({
    layout: l,
    current: await loadConfig(l),
    onChange: (c) => changes.push(c),
    onError: (m) => errors.push(m),
    debounceMs: 20,
    pollMs,
  });
  return watcher;
}

describe('watchConfig', () => {
  it('hands a valid change to the callback, and nothing when nothing changed', async () => {
    const w = await start();
    await w.check();
    expect(changes).toEqual([]);
    await fs.writeFile(policies(root), JSON.stringify({ retry: { maxAttempts: 7 } }));
    await w.check();
    expect(changes.map((c) => c.policies.retry.maxAttempts)).toEqual([7]);
    await w.check();
    expect(changes).toHaveLength(1);
  });

  it('refuses an invalid change once with the one-line error, keeps the old, and applies the fix', async () => {
    const w = await start();
    await fs.writeFile(policies(root), '{"retry":{"maxAttempts":0}}');
    await w.check();
    await w.check();
    expect(errors).toEqual([
      'config/policies.json: $.retry.maxAttempts: found 0, expected a positive integer (fix the value or delete the key to use the default)',
    ]);
    expect(w.refused).toBe(errors[0]);
    expect(changes).toEqual([]);
    await fs.writeFile(policies(root), '{"retry":{"maxAttempts":5}}');
    await w.check();
    expect(w.refused).toBeUndefined();
    expect(changes.map((c) => c.policies.retry.maxAttempts)).toEqual([5]);
  });

  it('notices a change by itself (watch event or poll) within a deadline', async () => {
    await start(200);
    await fs.writeFile(policies(root), JSON.stringify({ retry: { maxAttempts: 9 } }));
    await waitFor('the change to be applied', () => changes.length === 1, 10_000);
    expect(changes[0]?.policies.retry.maxAttempts).toBe(9);
  });

  it('treats a deleted file as a return to the defaults', async () => {
    const w = await start();
    await fs.rm(policies(root));
    await w.check();
    expect(changes[0]?.sources.policies).toBe('built-in');
  });
});
