import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkRepoRealpath, checkTaskFiles, recheckAtRunTime } from './run-time-checks.js';
import { realpathOrUndefined } from './validate.js';
import { posixOnly } from '../platform-kit.js';

const symlinks = posixOnly('makes symlinks (a privilege on Windows), one of them to /etc');

describe('checkTaskFiles (pure)', () => {
  it('refuses paths that climb out of the repo or point outside it, and keeps those inside', () => {
    expect(checkTaskFiles(['src/a.py', './b.py', '/repo/c.py', '..notes/x'], '/repo')).toEqual({ ok: true });
    for (const bad of ['../../etc/passwd', '/etc/passwd', 'src/../../x', '..']) {
      const v = checkTaskFiles([bad], '/repo');
      expect(v).toMatchObject({
        ok: false,
        reason: expect.stringContaining(`"${bad}" leads outside the repo`),
      });
    }
  });
  it('refuses a name inside the repo that is a symlink to outside', () => {
    const v = checkTaskFiles(['link'], '/repo', (p) => (p === '/repo/link' ? '/etc/shadow' : undefined));
    expect(v).toMatchObject({ ok: false, reason: expect.stringContaining('/etc/shadow') });
  });
  it('works with Windows paths', () => {
    expect(checkTaskFiles(['..\\..\\Windows\\win.ini'], 'C:\\repo', undefined, path.win32).ok).toBe(false);
    expect(checkTaskFiles(['src\\a.py'], 'C:\\repo', undefined, path.win32).ok).toBe(true);
  });
});

describe('checkRepoRealpath (pure)', () => {
  it('names the rule when the repo now resolves outside the allowed roots', () => {
    const v = checkRepoRealpath({ repo: 'r', abs: '/root/r', real: '/elsewhere', allowedRoots: ['/root'] });
    expect(v).toMatchObject({
      ok: false,
      reason: expect.stringContaining('policies.worker.allowedRepoRoots'),
    });
    expect(
      checkRepoRealpath({ repo: 'r', abs: '/root/r', real: '/root/r', allowedRoots: ['/root'] }).ok,
    ).toBe(true);
  });
});

symlinks.describe('recheckAtRunTime (real symlinks)', () => {
  let base: string;
  beforeEach(() => {
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'hl-recheck-')));
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  it('refuses a repo symlink re-pointed outside the allowed roots after intake', () => {
    const root = path.join(base, 'root');
    const inside = path.join(root, 'repos', 'real');
    const outside = path.join(base, 'outside');
    fs.mkdirSync(inside, { recursive: true });
    fs.mkdirSync(outside);
    fs.symlinkSync(inside, path.join(root, 'repos', 'link'));
    const ctx = {
      root,
      allowedRoots: [path.join(root, 'repos')],
      executable: process.execPath,
      env: process.env,
    };
    expect(recheckAtRunTime({ repo: 'repos/link', files: [] }, ctx)).toMatchObject({
      ok: true,
      repo: inside,
      executablePath: process.execPath,
    });
    fs.rmSync(path.join(root, 'repos', 'link'));
    fs.symlinkSync(outside, path.join(root, 'repos', 'link'));
    expect(recheckAtRunTime({ repo: 'repos/link', files: [] }, ctx)).toMatchObject({
      ok: false,
      rule: 'allowedRepoRoots',
      reason: expect.stringContaining(outside),
    });
  });

  it('refuses a missing executable and a file that leaves the repo', () => {
    const repo = path.join(base, 'repo');
    fs.mkdirSync(repo);
    fs.symlinkSync('/etc', path.join(repo, 'etc-link'));
    const ctx = {
      root: base,
      allowedRoots: [base],
      executable: 'no-such-tool-xyz',
      env: { PATH: '/nonexistent' },
    };
    expect(recheckAtRunTime({ repo: 'repo', files: [] }, ctx)).toMatchObject({
      ok: false,
      rule: 'executable',
    });
    expect(
      recheckAtRunTime(
        { repo: 'repo', files: ['etc-link/passwd'] },
        { ...ctx, realpath: realpathOrUndefined },
      ),
    ).toMatchObject({ ok: false, rule: 'files' });
  });
});
