import path from 'node:path';

/**
 * Reads what an npm `.cmd` shim (claude.cmd, codex.cmd, gemini.cmd) runs, so the worker can spawn
 * the target directly: since CVE-2024-27980 Node refuses to spawn a .cmd without a shell, cmd.exe
 * caps a command line at 8,191 characters and cuts it at a line feed, and cross-spawn's escaping is
 * wrong for global shims (node-cross-spawn PR#158). Pure: it gets the shim's text.
 *
 * The shapes come from npm's cmd-shim (lib/index.js): a script with a `node` shebang ends in
 *   endLocal & goto #_undefined_# 2>NUL || title %COMSPEC% & "%_prog%"  "%dp0%\node_modules\@openai\codex\bin\codex.js" %*
 * and a file without a shebang (claude's native binary) in
 *   "%dp0%\node_modules\@anthropic-ai\claude-code\bin\claude.exe"   %*
 * Older npm wrote `"%~dp0\node.exe" "%~dp0\..\cli.js" %*` / `node "%~dp0\..\cli.js" %*`.
 * Anything else gives null: fall back to execa/cross-spawn.
 */
export type ShimTarget =
  { kind: 'node'; script: string; nodeArgs: string[] } | { kind: 'native'; executable: string };

const SCRIPT = /\.(c|m)?js$/i;
const NATIVE = /\.(exe|com)$/i;
const NODE = /^(?:.*[\\/])?node(?:\.exe)?$/i;

export function parseCmdShim(shimText: string, shimPath: string): ShimTarget | null {
  const dir = path.win32.dirname(shimPath);
  const lines = shimText.split(/\r?\n/).map((l) => l.trim());
  const runLine = [...lines].reverse().find((l) => /%\*\s*\)?$/.test(l));
  if (!runLine) return null;

  let command = runLine.replace(/\s*\)?$/, '');
  // npm's current shim: everything before `& "%_prog%"` only sets the console title.
  const prog = command.lastIndexOf('"%_prog%"');
  if (prog >= 0) {
    if (!progIsNode(lines)) return null;
    command = 'node' + command.slice(prog + '"%_prog%"'.length);
  }
  command = command.replace(/^@/, '').replace(/^\(\s*/, '');
  const tokens = tokenize(command);
  if (tokens.at(-1) !== '%*') return null;
  tokens.pop();
  const [first, ...rest] = tokens;
  if (first === undefined) return null;

  if (NODE.test(first)) {
    // The first token that is no node option is the script: npm shims a bin file whatever its
    // extension (a `#!/usr/bin/env node` file called `gemini` gives "%dp0%\…\gemini").
    const scriptIndex = rest.findIndex((t) => SCRIPT.test(t) || !t.startsWith('-'));
    const script = rest[scriptIndex];
    if (script === undefined || !isShimRelative(script)) return null;
    return { kind: 'node', script: resolveDp0(script, dir), nodeArgs: rest.slice(0, scriptIndex) };
  }
  if (rest.length === 0 && NATIVE.test(first) && isShimRelative(first)) {
    return { kind: 'native', executable: resolveDp0(first, dir) };
  }
  return null;
}

/**
 * The target of an npm PowerShell shim (`codex.ps1`), whose run line is
 *   & "$basedir/node$exe"  "$basedir/node_modules/@openai/codex/bin/codex.js" $args
 * (or `& "node$exe" …` when no node.exe sits beside it, or `& "$basedir/…/claude.exe"   $args`).
 * headless never runs PowerShell for a tool: an unparseable .ps1 is refused by the runner.
 */
export function parsePs1Shim(shimText: string, shimPath: string): ShimTarget | null {
  const dir = path.win32.dirname(shimPath);
  const runLines = shimText
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => /^&\s/.test(l) && /\$args$/.test(l));
  const runLine = runLines.at(-1);
  if (runLine === undefined) return null;
  const tokens = tokenize(runLine.slice(1).replace(/\$args$/, ''));
  const [first, ...rest] = tokens;
  if (first === undefined) return null;
  const fromBase = (t: string): string | null =>
    /^\$basedir[\\/]/i.test(t)
      ? path.win32.normalize(path.win32.join(dir, t.replace(/^\$basedir[\\/]/i, '')))
      : null;
  if (/^(?:\$basedir[\\/])?node(?:\$exe|\.exe)?$/i.test(first)) {
    const scriptIndex = rest.findIndex((t) => !t.startsWith('-'));
    const script = rest[scriptIndex];
    const full = script === undefined ? null : fromBase(script);
    return full === null ? null : { kind: 'node', script: full, nodeArgs: rest.slice(0, scriptIndex) };
  }
  const exe = fromBase(first);
  if (rest.length === 0 && exe !== null && NATIVE.test(exe)) return { kind: 'native', executable: exe };
  return null;
}

/** The executable and leading arguments to spawn instead of the shim (the task's args follow). */
export function shimInvocation(
  target: ShimTarget,
  execPath: string,
): { executable: string; argsPrefix: string[] } {
  if (target.kind === 'native') return { executable: target.executable, argsPrefix: [] };
  return { executable: execPath, argsPrefix: [...target.nodeArgs, target.script] };
}

/** The ELSE branch of npm's shim names the program: `SET "_prog=node"`. */
function progIsNode(lines: string[]): boolean {
  const progs = lines
    .map((l) => /^SET "_prog=([^"]+)"$/i.exec(l)?.[1])
    .filter((p): p is string => p !== undefined);
  return progs.length > 0 && progs.every((p) => NODE.test(p));
}

function tokenize(command: string): string[] {
  const tokens: string[] = [];
  for (const m of command.matchAll(/"([^"]*)"|(\S+)/g)) tokens.push(m[1] ?? m[2] ?? '');
  return tokens;
}

function isShimRelative(token: string): boolean {
  return /^%~?dp0%?/i.test(token);
}

function resolveDp0(token: string, dir: string): string {
  return path.win32.normalize(path.win32.join(dir, token.replace(/^%~?dp0%?\\?/i, '')));
}
