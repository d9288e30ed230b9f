import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import { layout, type RootLayout } from '../paths.js';
import { BUILD_ID, loadConfigCached } from './cache.js';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load.js';

async function writePolicies(l: RootLayout, value: unknown): Promise<void> {
  await fs.mkdir(l.configDir, { recursive: true });
  await fs.writeFile(l.policiesConfig, JSON.stringify(value));
}

/** Rewrites the cached policies, so a later load shows whether it came from the cache. */
async function markCache(l: RootLayout, staleAfterSec: number): Promise<void> {
  const cached = JSON.parse(await fs.readFile(l.configCache, 'utf8')) as {
    policies: { heartbeat: { staleAfterSec: number } };
  };
  cached.policies.heartbeat.staleAfterSec = staleAfterSec;
  await fs.writeFile(l.configCache, JSON.stringify(cached));
}

describe('loadConfigCached', () => {
  let root: string;
  let l: RootLayout;
  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'headless-config-cache-'));
    l = layout(root);
    await fs.mkdir(l.tasksDir, { recursive: true });
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('gives what loadConfig gives, and caches it under .tasks/run', async () => {
    await writePolicies(l, { heartbeat: { staleAfterSec: 45 } });
    const cfg = await loadConfigCached(l, 'build-1');
    expect(cfg).toEqual(await loadConfig(l));
    expect(existsSync(l.configCache)).toBe(true);
  });

  it('answers from the cache while the build and both texts are the same', async () => {
    await writePolicies(l, { heartbeat: { staleAfterSec: 45 } });
    await loadConfigCached(l, 'build-1');
    await markCache(l, 777);
    const hit = await loadConfigCached(l, 'build-1');
    expect(hit.policies.heartbeat.staleAfterSec).toBe(777);
    expect(hit.sources).toEqual({ tools: 'built-in', policies: l.policiesConfig });
  });

  it('validates again after an edit, and caches the new result', async () => {
    await writePolicies(l, { heartbeat: { staleAfterSec: 45 } });
    await loadConfigCached(l, 'build-1');
    await markCache(l, 777);
    await writePolicies(l, { heartbeat: { staleAfterSec: 50 } });
    expect((await loadConfigCached(l, 'build-1')).policies.heartbeat.staleAfterSec).toBe(50);
    await markCache(l, 888);
    expect((await loadConfigCached(l, 'build-1')).policies.heartbeat.staleAfterSec).toBe(888);
  });

  it('validates again under another build', async () => {
    await writePolicies(l, { heartbeat: { staleAfterSec: 45 } });
    await loadConfigCached(l, 'build-1');
    await markCache(l, 777);
    expect((await loadConfigCached(l, 'build-2')).policies.heartbeat.staleAfterSec).toBe(45);
  });

  it('throws the ConfigError of a bad file and caches nothing', async () => {
    await writePolicies(l, { heartbeat: { staleAfterSec: 0 } });
    await expect(loadConfigCached(l, 'build-1')).rejects.toBeInstanceOf(ConfigError);
    expect(existsSync(l.configCache)).toBe(false);
  });

  it('does not answer a bad file from the cache of the good one before it', async () => {
    await writePolicies(l, { heartbeat: { staleAfterSec: 45 } });
    await loadConfigCached(l, 'build-1');
    await writePolicies(l, { heartbeat: { staleAfterSec: 0 } });
    await expect(loadConfigCached(l, 'build-1')).rejects.toThrow(/\$\.heartbeat\.staleAfterSec: found 0/);
  });

  it('takes a damaged cache as a miss', async () => {
    await fs.mkdir(l.runDir, { recursive: true });
    for (const text of ['', '{"build":"build-1"', 'null', '{"build":"build-1","texts":{}}']) {
      await fs.writeFile(l.configCache, text);
      expect((await loadConfigCached(l, 'build-1')).policies.retry.maxAttempts).toBe(3);
    }
  });

  it('creates nothing in a folder without .tasks', async () => {
    await fs.rm(l.tasksDir, { recursive: true });
    await loadConfigCached(l, 'build-1');
    expect(existsSync(l.tasksDir)).toBe(false);
  });

  it('is off without a build id (the tsc build)', async () => {
    expect(BUILD_ID).toBeUndefined();
    await writePolicies(l, { heartbeat: { staleAfterSec: 45 } });
    await loadConfigCached(l);
    expect(existsSync(l.configCache)).toBe(false);
  });
});
