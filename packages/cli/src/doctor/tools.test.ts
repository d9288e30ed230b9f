import { describe, expect, it } from '@jest/globals';
import { ToolsConfig } from '@headless/core/config/schema';
import { findExecutable } from '@headless/core/tool/find-executable';
import { checkTools, missingToolHint, probeVersion } from './tools.js';

describe('PATH search on Windows, as doctor uses it (fake file system)', () => {
  // Windows file names ignore case: the fake does too, and results are compared without case.
  const files = new Set(
    [
      'C:\\Users\\me\\AppData\\Roaming\\npm\\claude.cmd',
      'C:\\Program Files\\Git\\cmd\\git.exe',
      'C:\\tools\\aider.EXE',
      'D:\\bin\\codex.ps1',
    ].map((f) => f.toLowerCase()),
  );
  const opts = {
    pathEnv:
      'C:\\Windows\\system32;"C:\\Program Files\\Git\\cmd";C:\\Users\\me\\AppData\\Roaming\\npm;C:\\tools;D:\\bin',
    platform: 'win32' as const,
    pathExt: '.COM;.EXE;.BAT;.CMD',
    cwd: 'C:\\work',
    exists: (p: string): boolean => files.has(p.toLowerCase()),
  };
  const find = (exe: string, extra: Partial<typeof opts> = {}): string | undefined =>
    findExecutable(exe, { ...opts, ...extra })?.toLowerCase();

  it('finds an npm shim through PATHEXT', () => {
    expect(find('claude')).toBe('c:\\users\\me\\appdata\\roaming\\npm\\claude.cmd');
  });
  it('strips quotes around a PATH entry', () => {
    expect(find('git')).toBe('c:\\program files\\git\\cmd\\git.exe');
  });
  it('only tries the extensions PATHEXT lists', () => {
    expect(find('aider')).toBe('c:\\tools\\aider.exe');
    expect(find('aider', { pathExt: '.COM;.CMD' })).toBeUndefined();
    expect(find('codex')).toBeUndefined();
  });
  it('takes a name that already has its extension', () => {
    expect(find('claude.cmd')).toBe('c:\\users\\me\\appdata\\roaming\\npm\\claude.cmd');
  });
  it('resolves a relative path against the folder, not PATH', () => {
    expect(find('..\\tools\\aider')).toBe('c:\\tools\\aider.exe');
    expect(find('.\\aider')).toBeUndefined();
  });
});

describe('checkTools', () => {
  const config = ToolsConfig.parse({
    tools: { node: { executable: process.execPath }, ghost: { executable: 'surely-not-installed-xyz' } },
  });

  it('reports found tools with their version and missing ones with a hint', async () => {
    const checks = await checkTools(config, { PATH: '' }, process.cwd(), () => Promise.resolve('v1.2.3'));
    expect(checks).toEqual([
      expect.objectContaining({ tool: 'node', foundAt: process.execPath, version: 'v1.2.3', status: 'ok' }),
      expect.objectContaining({
        tool: 'ghost',
        foundAt: null,
        status: 'warn',
        detail:
          'surely-not-installed-xyz not found on PATH: install it or set "executable" for tools.ghost in config/tools.json',
      }),
    ]);
  });

  it('warns when a found tool does not answer --version', async () => {
    const [node] = await checkTools(config, {}, process.cwd(), () => Promise.resolve(null));
    expect(node).toMatchObject({ status: 'warn', version: null });
  });

  it('names the path for an executable given as a path', () => {
    expect(missingToolHint('aider', '/opt/aider/bin/aider')).toBe(
      '/opt/aider/bin/aider not found at /opt/aider/bin/aider: install it or set "executable" for tools.aider in config/tools.json',
    );
  });
});

describe('probeVersion', () => {
  it('returns the first line of a real --version', async () => {
    expect(await probeVersion(process.execPath, {})).toBe(process.version);
  });
  it('returns null for a program that fails', async () => {
    expect(await probeVersion('/surely/not/here', {})).toBeNull();
  });
});
