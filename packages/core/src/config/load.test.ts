import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import { layout } from '../paths.js';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load.js';

// core cannot use @headless/test-support (that package depends on core), so a root is made here.
async function writeConfig(root: string, name: string, value: unknown): Promise<void> {
  await fs.mkdir(path.join(root, 'config'), { recursive: true });
  await fs.writeFile(path.join(root, 'config', name), JSON.stringify(value, null, 2));
}

describe('loadConfig', () => {
  let root: string;
  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'headless-config-'));
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('uses the built-in defaults when the root has no config folder', async () => {
    const cfg = await loadConfig(layout(root));
    expect(cfg.sources).toEqual({ tools: 'built-in', policies: 'built-in' });
    expect(cfg.tools.tools['git']?.executable).toBe('git');
    expect(cfg.policies.retry.maxAttempts).toBe(3);
  });

  it('reads each file that is there and defaults the other', async () => {
    await writeConfig(root, 'policies.json', { retry: { maxAttempts: 9 } });
    const l = layout(root);
    const cfg = await loadConfig(l);
    expect(cfg.policies.retry.maxAttempts).toBe(9);
    expect(cfg.sources).toEqual({ tools: 'built-in', policies: l.policiesConfig });
  });

  it('rejects a bad file with the path relative to the root', async () => {
    await writeConfig(root, 'tools.json', { tools: { git: { executable: 'git', concurrency: 0 } } });
    const err = await loadConfig(layout(root)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(
      /^config\/tools\.json: \$\.tools\.git\.concurrency: found 0, /,
    );
  });

  it('reports a config path that is a folder as unreadable', async () => {
    await fs.mkdir(path.join(root, 'config', 'policies.json'), { recursive: true });
    await expect(loadConfig(layout(root))).rejects.toThrow(
      /config\/policies\.json: \$: found a file that cannot be read/,
    );
  });
});
