/**
 * What the POSIX guard (posix-guard.test.ts) looks for in a test file: code that only works on
 * POSIX, and whether the file says so through a platform gate (platform.ts). Pure, so the guard's
 * own rules are tested on small texts. The marker list is kept small and literal: each one is a
 * feature Windows does not have, written the way these tests write it.
 */

export interface PosixMarker {
  readonly name: string;
  readonly pattern: RegExp;
}

export const POSIX_MARKERS: readonly PosixMarker[] = [
  { name: 'SIGSTOP/SIGCONT', pattern: /['"`]SIG(?:STOP|CONT)['"`]/ },
  { name: 'setsid', pattern: /\bsetsid\b/ },
  { name: '/proc', pattern: /['"`]\/proc\// },
  { name: 'mkfifo', pattern: /\bmkfifo\b/ },
  { name: 'a process-group kill', pattern: /process\.kill\(\s*-/ },
  { name: 'chmod', pattern: /\bchmod(?:Sync)?\(/ },
  { name: 'mode bits', pattern: /\bmode:\s*0o[0-7]{3}\b|&\s*0o777\b/ },
  { name: 'a symlink', pattern: /\bsymlink(?:Sync)?\(/ },
  {
    name: 'a POSIX shell',
    pattern: /\b(?:spawn|spawnSync|execFile|execFileSync|execa)\(\s*['"`](?:sh|bash)['"`]/,
  },
  { name: 'a fake CLI by its extensionless path', pattern: /\bFAKES_DIR\b/ },
  // On Windows kill() ends a process at once whatever the signal: no SIGTERM handler runs.
  { name: 'a SIGTERM sent', pattern: /\bkill\([^()]*['"`]SIGTERM['"`]\)/ },
];

/** A gate call, or a comment that says why the marked code is portable after all. */
const GATED = /\b(?:posixOnly|linuxOnly|onlyOn)\(|posix-guard: portable\b/;

/**
 * A hand-made platform skip (`process.platform === 'win32' ? describe.skip : describe`, a
 * `posix ? it : it.skip`, an early `return` on a platform): the gates replace these, so the reason
 * is in the test's title. Environment skips (`haveRuff ? it : it.skip`) are not platform skips.
 */
const AD_HOC_SKIP = [
  /[\w.'"[\]() !=,]*(?:platform|posix|linux|win32|windows|darwin)[\w.'"[\]() !=,]*\?\s*(?:it|describe|test)(?:\.skip)?\s*:\s*(?:it|describe|test)\b/i,
  /if\s*\(\s*process\.platform[^)]*\)\s*return\b/,
];

function codeLines(text: string): string[] {
  return text.split('\n').filter((l) => !/^\s*(?:\/\/|\/\*|\*)/.test(l));
}

/** The markers found in a test file's code (comments left out), by name, each once. */
export function posixMarkersIn(text: string): string[] {
  const code = codeLines(text).join('\n');
  return POSIX_MARKERS.filter((m) => m.pattern.test(code)).map((m) => m.name);
}

/** Whether the file uses a platform gate (or says why its marked code is portable). */
export function hasPlatformGate(text: string): boolean {
  return GATED.test(text);
}

/** The lines (1-based) that skip by platform by hand instead of through a gate. */
export function adHocSkipLines(text: string): number[] {
  return text
    .split('\n')
    .flatMap((line, i) => (AD_HOC_SKIP.some((p) => p.test(line)) && !/^\s*\/\//.test(line) ? [i + 1] : []));
}

/** One finding per file: what it uses without a gate, or where it skips by hand. */
export function auditTestFile(file: string, text: string): string[] {
  const findings: string[] = [];
  const markers = posixMarkersIn(text);
  if (markers.length > 0 && !hasPlatformGate(text)) {
    findings.push(
      `${file}: uses ${markers.join(', ')} without posixOnly()/linuxOnly() (or a "posix-guard: portable" comment saying why it runs on Windows)`,
    );
  }
  for (const line of adHocSkipLines(text)) {
    findings.push(`${file}:${line}: skips by platform by hand; use posixOnly(reason) or linuxOnly(reason)`);
  }
  return findings;
}
