import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from '../process/test-kit.js';
import { ensureRuntimeFolder, IGNORE_ALL } from './runtime-ignore.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir('headless-ignore-')));
afterEach(() => cleanup());

describe('ensureRuntimeFolder', () => {
  it('keeps runtime folders out of git status in a git work tree', async () => {
    execFileSync('git', ['init', '-q'], { cwd: dir });
    expect(await ensureRuntimeFolder(path.join(dir, '.tasks', 'inbox'))).toBe(true);
    expect(await ensureRuntimeFolder(path.join(dir, 'logs'))).toBe(true);
    await fs.writeFile(path.join(dir, 'logs', 'ledger.jsonl'), '{}\n');
    expect(
      execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: dir, encoding: 'utf8' }),
    ).toBe('');
  });

  it('writes nothing outside a git work tree and never overwrites a .gitignore', async () => {
    expect(await ensureRuntimeFolder(path.join(dir, 'logs'))).toBe(false);
    await expect(fs.access(path.join(dir, 'logs', '.gitignore'))).rejects.toThrow();
    execFileSync('git', ['init', '-q'], { cwd: dir });
    await fs.writeFile(path.join(dir, 'logs', '.gitignore'), 'mine\n');
    expect(await ensureRuntimeFolder(path.join(dir, 'logs'))).toBe(false);
    expect(await fs.readFile(path.join(dir, 'logs', '.gitignore'), 'utf8')).toBe('mine\n');
    expect(IGNORE_ALL.split('\n')).toContain('*');
  });
});
