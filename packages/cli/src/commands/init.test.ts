import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '@headless/core/config/load';
import { HeadlessError } from '@headless/core/errors/headless-error';
import { layout } from '@headless/core/paths';
import { makeTempRoot } from '@headless/test-support/temp-root';
import { initRoot } from './init.js';

describe('headless init', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ root, cleanup } = await makeTempRoot());
  });
  afterEach(async () => {
    await cleanup();
  });

  it('writes both config files and their schemas, which load back as the defaults', async () => {
    const result = await initRoot(layout(root));
    expect(result.written).toEqual([
      'config/tools.json',
      'config/policies.json',
      'config/schema/tools.schema.json',
      'config/schema/policies.schema.json',
    ]);
    const tools = await fs.readFile(path.join(root, 'config/tools.json'), 'utf8');
    expect(tools.startsWith('{\n  "$schema": "./schema/tools.schema.json",\n')).toBe(true);
    const cfg = await loadConfig(layout(root));
    expect(cfg.sources.tools).toBe(path.join(root, 'config', 'tools.json'));
    expect(cfg.tools.tools['git']?.executable).toBe('git');
    expect(cfg.policies.retry.maxAttempts).toBe(3);
  });

  it('refuses to overwrite a config file, naming it, and writes nothing', async () => {
    await fs.mkdir(path.join(root, 'config'));
    await fs.writeFile(path.join(root, 'config/policies.json'), '{ "retry": { "maxAttempts": 9 } }');
    const err = await initRoot(layout(root)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HeadlessError);
    expect((err as HeadlessError).exitCode).toBe(1);
    expect((err as HeadlessError).message).toMatch(/^config\/policies\.json already exists.*--force/);
    await expect(fs.stat(path.join(root, 'config/tools.json'))).rejects.toThrow(/ENOENT/);
    expect(await fs.readFile(path.join(root, 'config/policies.json'), 'utf8')).toContain('9');
  });

  it('overwrites with force', async () => {
    await fs.mkdir(path.join(root, 'config'));
    await fs.writeFile(path.join(root, 'config/policies.json'), '{ "retry": { "maxAttempts": 9 } }');
    await initRoot(layout(root), { force: true });
    expect((await loadConfig(layout(root))).policies.retry.maxAttempts).toBe(3);
  });
});
