import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs/promises';
import path from 'node:path';
import { layout } from '@headless/core/paths';
import { makeTempRoot } from '@headless/test-support/temp-root';
import { checkFolders, runFolderCheck } from './folders.js';
import { posixOnly } from '@headless/test-support/platform';

const modeBits = posixOnly('chmods a folder to 0777; Windows has ACLs, not mode bits');

describe('checkFolders', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ root, cleanup } = await makeTempRoot());
  });
  afterEach(async () => {
    await cleanup();
  });

  it('passes a fresh writable root whose folders do not exist yet, creating nothing', async () => {
    const checks = await checkFolders(layout(root), 'linux');
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ['root', 'ok'],
      ['.tasks', 'ok'],
      ['logs', 'ok'],
    ]);
    expect(await fs.readdir(root)).toEqual([]);
  });

  it('fails a root that does not exist', async () => {
    const [rootCheck] = await checkFolders(layout(path.join(root, 'missing')), 'linux');
    expect(rootCheck).toMatchObject({ name: 'root', status: 'fail' });
  });

  it('fails when logs is a file', async () => {
    await fs.writeFile(path.join(root, 'logs'), 'x');
    const checks = await checkFolders(layout(root), 'linux');
    expect(checks.find((c) => c.name === 'logs')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/not a folder/),
    });
  });

  modeBits.it('warns when .tasks/run is writable by others', async () => {
    const run = path.join(root, '.tasks', 'run');
    await fs.mkdir(run, { recursive: true });
    await fs.chmod(run, 0o777);
    const checks = await checkFolders(layout(root), 'linux');
    expect(checks.find((c) => c.name === '.tasks/run')).toMatchObject({ status: 'warn' });
  });
});

describe('runFolderCheck', () => {
  it('accepts an owner-only folder and warns on group or world write', () => {
    expect(runFolderCheck('/r', 0o40700).status).toBe('ok');
    expect(runFolderCheck('/r', 0o40755).status).toBe('ok');
    expect(runFolderCheck('/r', 0o40770)).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('chmod 700'),
    });
    expect(runFolderCheck('/r', 0o40702).status).toBe('warn');
  });
});
