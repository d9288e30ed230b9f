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

describe('config/tools.json over the built-in tools', () => {
  let root: string;
  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'headless-config-'));
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('changes one key of one tool and keeps the other keys and tools', async () => {
    await writeConfig(root, 'tools.json', { tools: { claude: { executable: '/opt/claude/bin/claude' } } });
    const { tools } = await loadConfig(layout(root));
    const builtIn = (await loadConfig(layout(path.join(root, 'none')))).tools.tools;
    expect(tools.tools['claude']).toEqual({ ...builtIn['claude'], executable: '/opt/claude/bin/claude' });
    expect(Object.keys(tools.tools).sort()).toEqual(Object.keys(builtIn).sort());
    expect(tools.tools['git']).toEqual(builtIn['git']);
  });

  it('adds a new tool, removes one set to null, and reads {} as the built-in tools', async () => {
    await writeConfig(root, 'tools.json', { tools: { mine: { executable: 'mine' }, aider: null } });
    const { tools } = await loadConfig(layout(root));
    expect(tools.tools['mine']?.executable).toBe('mine');
    expect(tools.tools['aider']).toBeUndefined();
    expect(tools.tools['git']?.executable).toBe('git');
    await writeConfig(root, 'tools.json', {});
    expect((await loadConfig(layout(root))).tools.tools['codex']?.executable).toBe('codex');
  });

  it('reports a bad value in an overridden tool at its path in the file', async () => {
    await writeConfig(root, 'tools.json', { tools: { claude: { concurrency: -1 } } });
    await expect(loadConfig(layout(root))).rejects.toThrow(
      /^config\/tools\.json: \$\.tools\.claude\.concurrency: found -1/,
    );
  });
});
