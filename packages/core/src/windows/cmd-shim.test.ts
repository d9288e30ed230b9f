import { describe, expect, it } from '@jest/globals';
import { parseCmdShim, shimInvocation } from './cmd-shim.js';

// The exact text npm's cmd-shim writes (lib/index.js), with CRLF line ends.
const head =
  '@ECHO off\r\nGOTO start\r\n:find_dp0\r\nSET dp0=%~dp0\r\nEXIT /b\r\n:start\r\nSETLOCAL\r\nCALL :find_dp0\r\n';
const nodeShim = (target: string, args = '') =>
  head +
  '\r\n' +
  'IF EXIST "%dp0%\\node.exe" (\r\n' +
  '  SET "_prog=%dp0%\\node.exe"\r\n' +
  ') ELSE (\r\n' +
  '  SET "_prog=node"\r\n' +
  '  SET PATHEXT=%PATHEXT:;.JS;=;%\r\n' +
  ')\r\n' +
  '\r\n' +
  `endLocal & goto #_undefined_# 2>NUL || title %COMSPEC% & "%_prog%" ${args} "%dp0%\\${target}" %*\r\n`;
const nativeShim = (target: string) => `${head}"%dp0%\\${target}"   %*\r\n`;

const SHIM = 'C:\\Users\\me\\AppData\\Roaming\\npm\\codex.cmd';
const NPM_DIR = 'C:\\Users\\me\\AppData\\Roaming\\npm';

describe('parseCmdShim', () => {
  it('finds the JS entry point of a node shim (codex, gemini)', () => {
    const target = parseCmdShim(nodeShim('node_modules\\@openai\\codex\\bin\\codex.js'), SHIM);
    expect(target).toEqual({
      kind: 'node',
      script: `${NPM_DIR}\\node_modules\\@openai\\codex\\bin\\codex.js`,
      nodeArgs: [],
    });
    expect(shimInvocation(target!, 'C:\\node\\node.exe')).toEqual({
      executable: 'C:\\node\\node.exe',
      argsPrefix: [`${NPM_DIR}\\node_modules\\@openai\\codex\\bin\\codex.js`],
    });
  });

  it('keeps node options from the shebang', () => {
    const target = parseCmdShim(nodeShim('node_modules\\x\\cli.mjs', '--no-warnings'), SHIM);
    expect(target).toEqual({
      kind: 'node',
      script: `${NPM_DIR}\\node_modules\\x\\cli.mjs`,
      nodeArgs: ['--no-warnings'],
    });
  });

  it('finds the native binary of a shim without a shebang (claude.exe)', () => {
    const target = parseCmdShim(
      nativeShim('node_modules\\@anthropic-ai\\claude-code\\bin\\claude.exe'),
      SHIM,
    );
    expect(target).toEqual({
      kind: 'native',
      executable: `${NPM_DIR}\\node_modules\\@anthropic-ai\\claude-code\\bin\\claude.exe`,
    });
    expect(shimInvocation(target!, 'node')).toEqual({
      executable: (target as { executable: string }).executable,
      argsPrefix: [],
    });
  });

  it('reads the older %~dp0 shims', () => {
    const old =
      '@IF EXIST "%~dp0\\node.exe" (\r\n' +
      '  "%~dp0\\node.exe"  "%~dp0\\node_modules\\pkg\\cli.js" %*\r\n' +
      ') ELSE (\r\n' +
      '  @SETLOCAL\r\n' +
      '  @SET PATHEXT=%PATHEXT:;.JS;=;%\r\n' +
      '  node  "%~dp0\\node_modules\\pkg\\cli.js" %*\r\n' +
      ')';
    expect(parseCmdShim(old, SHIM)).toEqual({
      kind: 'node',
      script: `${NPM_DIR}\\node_modules\\pkg\\cli.js`,
      nodeArgs: [],
    });
  });

  it('resolves ..\\ in the target', () => {
    const target = parseCmdShim(nodeShim('..\\lib\\node_modules\\pkg\\cli.js'), 'C:\\tools\\bin\\pkg.cmd');
    expect(target).toEqual({
      kind: 'node',
      script: 'C:\\tools\\lib\\node_modules\\pkg\\cli.js',
      nodeArgs: [],
    });
  });

  it('gives up on anything else, so the caller falls back to cross-spawn', () => {
    expect(parseCmdShim('@echo off\r\npython "%~dp0\\aider.py" %*\r\n', SHIM)).toBeNull();
    expect(parseCmdShim('@echo off\r\necho hello\r\n', SHIM)).toBeNull();
    expect(parseCmdShim(nativeShim('node_modules\\x\\run.sh'), SHIM)).toBeNull();
    const shProg = nodeShim('node_modules\\x\\cli.js').replace('SET "_prog=node"', 'SET "_prog=sh"');
    expect(parseCmdShim(shProg, SHIM)).toBeNull();
    expect(parseCmdShim('"C:\\elsewhere\\tool.exe" %*', SHIM)).toBeNull();
  });
});
