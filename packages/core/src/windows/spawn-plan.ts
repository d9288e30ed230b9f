import path from 'node:path';
import { parseCmdShim, parsePs1Shim, shimInvocation } from './cmd-shim.js';

/**
 * How a file found on PATH is started on Windows, never through a shell when it can be avoided.
 * Pure: the shim's text comes from `readText`, the environment and node's path are passed in.
 * - `.exe`/`.com`: as it is.
 * - An npm `.cmd`/`.ps1` shim: its target (`node.exe cli.js` or the `.exe` it names) is spawned
 *   directly, so every argument reaches the tool byte for byte (cmd.exe never sees them).
 * - Any other `.cmd`/`.bat`: through cmd.exe with execa's escaping (since CVE-2024-27980 Node
 *   refuses to spawn a batch file without a shell). Arguments cmd.exe cannot carry are refused
 *   with a reason instead of reaching the tool changed.
 * - Any other `.ps1`: refused (headless does not run PowerShell for a tool).
 */
export type WindowsSpawn =
  | { kind: 'direct'; file: string; args: string[]; via?: string }
  /** A batch file for execa, which runs it through cmd.exe with its own escaping. */
  | { kind: 'cmd'; file: string; args: string[] }
  | { kind: 'refused'; error: string };

export interface WindowsSpawnContext {
  /** The shim's text; undefined when it cannot be read. */
  readText(file: string): string | undefined;
  /** node.exe for `node` shims (process.execPath). */
  execPath: string;
  env: Readonly<Record<string, string | undefined>>;
}

export function planWindowsSpawn(
  file: string,
  args: readonly string[],
  ctx: WindowsSpawnContext,
): WindowsSpawn {
  const ext = path.win32.extname(file).toLowerCase();
  if (ext !== '.cmd' && ext !== '.bat' && ext !== '.ps1') return { kind: 'direct', file, args: [...args] };
  const text = ctx.readText(file);
  const target =
    text === undefined ? null : ext === '.ps1' ? parsePs1Shim(text, file) : parseCmdShim(text, file);
  if (target !== null) {
    const inv = shimInvocation(target, ctx.execPath);
    return { kind: 'direct', file: inv.executable, args: [...inv.argsPrefix, ...args], via: file };
  }
  if (ext === '.ps1')
    return {
      kind: 'refused',
      error: `${file} is a PowerShell script that is not an npm shim; headless does not run tools through PowerShell: point the tool at the program it runs`,
    };
  return planCmd(file, args, ctx.env);
}

/**
 * A batch file that is not an npm shim: execa builds the `cmd.exe /d /e:on /v:off /s /c "…"` line
 * (Rust's BatBadBut-safe quoting: every argument with a metacharacter quoted, `"` doubled, `%`
 * neutralised as `%%cd:~,%`). Refused here, with a reason, is what no quoting can carry:
 * - CR, LF, NUL: cmd.exe ends the command at a line break; NUL cannot be in any command line;
 * - `%NAME%` naming a defined variable, and batch parameters (`%1`, `%*`, `%~dp0`): harmless on
 *   the first parse, but a batch file that forwards its arguments with `call` expands them again;
 * - a command line over cmd.exe's 8,191 characters.
 */
export function planCmd(
  file: string,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): WindowsSpawn {
  const name = path.win32.basename(file);
  for (const [i, arg] of args.entries()) {
    const refuse = cmdRefusal(arg, env);
    if (refuse !== undefined)
      return {
        kind: 'refused',
        error: `argument ${i + 1} cannot go through ${name} (a batch file, run by cmd.exe): it contains ${refuse}; pass it on stdin or in a file, or point the tool at the program the batch file runs`,
      };
  }
  // Quoting can double a character at most (plus quotes): a cheap upper bound of execa's line.
  const length = [file, ...args].reduce((n, a) => n + 2 * a.length + 3, 20);
  if (length > 8191)
    return {
      kind: 'refused',
      error: `the command line for ${name} may reach ${length} characters, over cmd.exe's 8,191: pass long text on stdin or in a file`,
    };
  return { kind: 'cmd', file, args: [...args] };
}

/** What in an argument cmd.exe cannot carry to a batch file, in words; undefined when it can. */
export function cmdRefusal(
  arg: string,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (/[\r\n]/.test(arg)) return 'a line break';
  if (arg.includes('\0')) return 'a NUL character';
  const param = /%(?:[0-9*]|~[a-z]*[0-9])/i.exec(arg);
  if (param) return `${param[0]}, which a batch file expands`;
  const names = expandingNames(arg, env);
  if (names.length > 0) return `%${names[0]}%, which cmd.exe would expand`;
  return undefined;
}

/** Names between two `%` of the line that the environment defines (case-insensitive, as cmd.exe). */
export function expandingNames(line: string, env: Readonly<Record<string, string | undefined>>): string[] {
  const defined = new Set(Object.keys(env).map((k) => k.toUpperCase()));
  // Every pair of neighbouring % signs: cmd.exe may resume its scan at either end of an unknown name.
  const at = [...line.matchAll(/%/g)].map((m) => m.index);
  const out: string[] = [];
  for (let k = 0; k + 1 < at.length; k++) {
    const name = line.slice((at[k] as number) + 1, at[k + 1]);
    if (name !== '' && defined.has(name.toUpperCase())) out.push(name);
  }
  return out;
}
