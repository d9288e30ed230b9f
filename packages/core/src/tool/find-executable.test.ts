import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { findExecutable, findExecutableOnHost } from './find-executable.js';
import { posixOnly } from '../platform-kit.js';

function fsOf(files: string[], caseInsensitive = false) {
  const set = new Set(files.map((f) => (caseInsensitive ? f.toLowerCase() : f)));
  return (p: string) => set.has(caseInsensitive ? p.toLowerCase() : p);
}

describe('findExecutable on Windows', () => {
  const base = { platform: 'win32' as const, cwd: 'C:\\work\\repo' };

  it('tries PATHEXT extensions in order along PATH', () => {
    const exists = fsOf(['C:\\npm\\codex.cmd', 'C:\\bin\\codex.exe'], true);
    const pathEnv = 'C:\\Windows;C:\\npm;C:\\bin';
    expect(findExecutable('codex', { ...base, pathEnv, pathExt: '.COM;.EXE;.BAT;.CMD', exists })).toBe(
      'C:\\npm\\codex.cmd',
    );
    // Earlier directories win over earlier extensions.
    expect(
      findExecutable('codex', { ...base, pathEnv: 'C:\\bin;C:\\npm', pathExt: '.CMD;.EXE', exists }),
    ).toBe('C:\\bin\\codex.exe');
  });

  it('uses a name that already has an extension as is, and a default PATHEXT when none is set', () => {
    const exists = fsOf(['C:\\Git\\cmd\\git.exe'], true);
    expect(findExecutable('git.exe', { ...base, pathEnv: 'C:\\Git\\cmd', exists })).toBe(
      'C:\\Git\\cmd\\git.exe',
    );
    expect(findExecutable('git', { ...base, pathEnv: 'C:\\Git\\cmd', pathExt: '', exists })).toBe(
      'C:\\Git\\cmd\\git.exe',
    );
  });

  it('does not run an extensionless file, and strips quotes from PATH entries', () => {
    const exists = fsOf(['C:\\Program Files\\nodejs\\claude', 'C:\\Program Files\\nodejs\\claude.cmd'], true);
    expect(findExecutable('claude', { ...base, pathEnv: '"C:\\Program Files\\nodejs";', exists })).toBe(
      'C:\\Program Files\\nodejs\\claude.cmd',
    );
  });

  it('never searches the current folder for a bare name', () => {
    const exists = fsOf(['C:\\work\\repo\\codex.cmd'], true);
    expect(findExecutable('codex', { ...base, pathEnv: 'C:\\npm', exists })).toBeNull();
  });

  it('resolves a relative or absolute path with extensions', () => {
    const exists = fsOf(['C:\\work\\repo\\tools\\run.bat', 'D:\\x\\tool.exe'], true);
    expect(findExecutable('tools\\run', { ...base, pathEnv: '', exists })).toBe(
      'C:\\work\\repo\\tools\\run.bat',
    );
    expect(findExecutable('D:/x/tool', { ...base, pathEnv: '', exists })).toBe('D:\\x\\tool.exe');
  });
});

describe('findExecutable on POSIX', () => {
  const base = { platform: 'linux' as const, cwd: '/work/repo' };

  it('walks PATH in order', () => {
    const exists = fsOf(['/usr/bin/git', '/usr/local/bin/git']);
    expect(findExecutable('git', { ...base, pathEnv: '/usr/local/bin:/usr/bin', exists })).toBe(
      '/usr/local/bin/git',
    );
  });

  it('skips empty PATH entries (the current folder) and resolves relative paths against cwd', () => {
    const exists = fsOf(['/work/repo/git', '/work/repo/bin/tool']);
    expect(findExecutable('git', { ...base, pathEnv: ':/nope', exists })).toBeNull();
    expect(findExecutable('./bin/tool', { ...base, pathEnv: '', exists })).toBe('/work/repo/bin/tool');
    expect(findExecutable('/work/repo/bin/tool', { ...base, pathEnv: '', exists })).toBe(
      '/work/repo/bin/tool',
    );
  });

  it('returns null when nothing matches', () => {
    expect(findExecutable('codex', { ...base, pathEnv: '/usr/bin', exists: () => false })).toBeNull();
  });
});

// The execute bit decides on POSIX; Windows decides by PATHEXT (tested above).
const execBit = posixOnly('makes files with and without the execute bit, which Windows does not have');

describe('findExecutableOnHost', () => {
  execBit.it('finds an executable file and skips one without the executable bit', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'find-exe-'));
    try {
      const a = path.join(dir, 'a');
      const b = path.join(dir, 'b');
      await fs.mkdir(a);
      await fs.mkdir(b);
      await fs.writeFile(path.join(a, 'tool'), '#!/bin/sh\n', { mode: 0o644 });
      await fs.writeFile(path.join(b, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
      await fs.mkdir(path.join(a, 'dirtool'));
      expect(findExecutableOnHost('tool', { PATH: `${a}:${b}` })).toBe(path.join(b, 'tool'));
      expect(findExecutableOnHost('dirtool', { PATH: a })).toBeNull();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
