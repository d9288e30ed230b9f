import { describe, expect, it } from '@jest/globals';
import { parsePs1Shim } from './cmd-shim.js';
import { cmdRefusal, expandingNames, planWindowsSpawn } from './spawn-plan.js';

const NPM = 'C:\\Users\\me\\AppData\\Roaming\\npm';
const NODE = 'C:\\Program Files\\nodejs\\node.exe';
const ps1Node = (target: string) =>
  [
    '#!/usr/bin/env pwsh',
    '$basedir=Split-Path $MyInvocation.MyCommand.Definition -Parent',
    '',
    '$exe=""',
    'if ($PSVersionTable.PSVersion -lt "6.0" -or $IsWindows) {',
    '  $exe=".exe"',
    '}',
    '$ret=0',
    'if (Test-Path "$basedir/node$exe") {',
    '  if ($MyInvocation.ExpectingInput) {',
    `    $input | & "$basedir/node$exe"  "$basedir/${target}" $args`,
    '  } else {',
    `    & "$basedir/node$exe"  "$basedir/${target}" $args`,
    '  }',
    '  $ret=$LASTEXITCODE',
    '} else {',
    '  if ($MyInvocation.ExpectingInput) {',
    `    $input | & "node$exe"  "$basedir/${target}" $args`,
    '  } else {',
    `    & "node$exe"  "$basedir/${target}" $args`,
    '  }',
    '  $ret=$LASTEXITCODE',
    '}',
    'exit $ret',
  ].join('\r\n');
const ps1Native = (target: string) =>
  [
    '#!/usr/bin/env pwsh',
    '$basedir=Split-Path $MyInvocation.MyCommand.Definition -Parent',
    'if ($MyInvocation.ExpectingInput) {',
    `  $input | & "$basedir/${target}"   $args`,
    '} else {',
    `  & "$basedir/${target}"   $args`,
    '}',
    'exit $LASTEXITCODE',
  ].join('\r\n');
const oldCmd = (target: string) =>
  `@IF EXIST "%~dp0\\node.exe" (\r\n  "%~dp0\\node.exe"  "%~dp0\\${target}" %*\r\n) ELSE (\r\n  @SETLOCAL\r\n  @SET PATHEXT=%PATHEXT:;.JS;=;%\r\n  node  "%~dp0\\${target}" %*\r\n)\r\n`;

describe('npm PowerShell shims', () => {
  it('finds the script of a node shim', () => {
    expect(parsePs1Shim(ps1Node('node_modules/@openai/codex/bin/codex.js'), `${NPM}\\codex.ps1`)).toEqual({
      kind: 'node',
      script: `${NPM}\\node_modules\\@openai\\codex\\bin\\codex.js`,
      nodeArgs: [],
    });
  });

  it('finds the .exe of a native shim', () => {
    expect(
      parsePs1Shim(ps1Native('node_modules/@anthropic-ai/claude-code/bin/claude.exe'), `${NPM}\\claude.ps1`),
    ).toEqual({
      kind: 'native',
      executable: `${NPM}\\node_modules\\@anthropic-ai\\claude-code\\bin\\claude.exe`,
    });
  });

  it('gives null for a script that is not a shim', () => {
    expect(parsePs1Shim('Write-Host hi\r\n& git $args', `${NPM}\\x.ps1`)).toBeNull();
  });
});

describe('planWindowsSpawn', () => {
  const ctx = (
    text: string | undefined,
    env: Record<string, string> = { PATH: 'C:\\x', COMSPEC: 'C:\\Windows\\System32\\cmd.exe' },
  ) => ({
    readText: () => text,
    execPath: NODE,
    env,
  });
  const hostile = ['50%', '%PATH%', 'a b', 'x&y', '"q"', 'c^d', 'p|q', '<in>', 'bang!', '', 'tail\\'];

  it('spawns an .exe as it is, with every argument untouched', () => {
    expect(planWindowsSpawn('C:\\bin\\git.exe', hostile, ctx(undefined))).toEqual({
      kind: 'direct',
      file: 'C:\\bin\\git.exe',
      args: hostile,
    });
  });

  it("runs an npm .cmd shim's target with node directly: cmd.exe never sees the arguments", () => {
    const plan = planWindowsSpawn(
      `${NPM}\\gemini.cmd`,
      hostile,
      ctx(oldCmd('node_modules\\@google\\gemini-cli\\dist\\index.js')),
    );
    expect(plan).toEqual({
      kind: 'direct',
      file: NODE,
      args: [`${NPM}\\node_modules\\@google\\gemini-cli\\dist\\index.js`, ...hostile],
      via: `${NPM}\\gemini.cmd`,
    });
  });

  it('follows a shim to an extensionless node script (npm shims any bin file)', () => {
    const plan = planWindowsSpawn('C:\\fakes\\claude.cmd', ['-p'], ctx(oldCmd('claude')));
    expect(plan).toMatchObject({ kind: 'direct', file: NODE, args: ['C:\\fakes\\claude', '-p'] });
  });

  it("runs a .ps1 shim's .exe target directly and refuses any other PowerShell script", () => {
    expect(planWindowsSpawn(`${NPM}\\claude.ps1`, ['-p'], ctx(ps1Native('bin/claude.exe')))).toMatchObject({
      kind: 'direct',
      file: `${NPM}\\bin\\claude.exe`,
      args: ['-p'],
    });
    expect(planWindowsSpawn(`${NPM}\\x.ps1`, [], ctx('Write-Host hi'))).toMatchObject({
      kind: 'refused',
      error: expect.stringMatching(/PowerShell/),
    });
  });

  it('hands another batch file to execa (cmd.exe with its escaping) when cmd.exe can carry the arguments', () => {
    const args = ['50%', 'a b', 'x&y', '"q"', 'c^d', 'p|q', '<in>', 'bang!'];
    expect(planWindowsSpawn('C:\\tools\\build.bat', args, ctx('@echo %*'))).toEqual({
      kind: 'cmd',
      file: 'C:\\tools\\build.bat',
      args,
    });
  });

  it('refuses, naming the argument, what cmd.exe cannot carry to a batch file', () => {
    const refused = (arg: string) => planWindowsSpawn('C:\\t\\b.cmd', ['ok', arg], ctx('@echo %*'));
    expect(refused('line one\nline two')).toMatchObject({
      kind: 'refused',
      error: expect.stringMatching(/argument 2 .*line break.*stdin/),
    });
    expect(refused('%PATH%')).toMatchObject({
      kind: 'refused',
      error: expect.stringMatching(/%PATH%, which cmd.exe would expand/),
    });
    expect(refused('%~dp0')).toMatchObject({ kind: 'refused' });
    expect(refused('x'.repeat(5000))).toMatchObject({
      kind: 'refused',
      error: expect.stringMatching(/8,191/),
    });
  });

  it('finds a defined variable between any two % signs, case-insensitively', () => {
    expect(expandingNames('a %path% b', { Path: 'x' })).toEqual(['path']);
    expect(expandingNames('50% and 60%', { PATH: 'x' })).toEqual([]);
    expect(expandingNames('%x%PATH%', { PATH: 'x' })).toEqual(['PATH']);
    expect(cmdRefusal('100%', { PATH: 'x' })).toBeUndefined();
  });
});
