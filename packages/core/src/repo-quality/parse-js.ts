/**
 * What ESLint and tsc say failed. Pure. ESLint's default (stylish) output: an unindented file path,
 * then indented `line:col  error  message  rule` lines; tsc: `file(line,col): error TSnnnn: message`.
 */

const slash = (p: string): string => p.replace(/\\/g, '/');

export function eslintFailures(output: string): string[] {
  const out: string[] = [];
  let file: string | undefined;
  for (const line of output.split(/\r?\n/)) {
    if (/^[^\s>]/.test(line) && !/^\d+ problems?|^✖/.test(line)) {
      file = line.trim();
      continue;
    }
    const problem = /^\s+(\d+):(\d+)\s+(error|warning)\s+(.+?)(?:\s{2,}(\S+))?\s*$/.exec(line);
    if (problem && file !== undefined && problem[3] === 'error') {
      const rule = problem[5] ? ` (${problem[5]})` : '';
      out.push(`${slash(file)}:${problem[1]}:${problem[2]} ${problem[4]}${rule}`);
    }
  }
  return [...new Set(out)];
}

export function tscFailures(output: string): string[] {
  const out = output
    .split(/\r?\n/)
    .map((l) => /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${slash(m[1] ?? '')}:${m[2]}:${m[3]} ${m[4]} ${m[5]}`);
  return [...new Set(out)];
}

/**
 * Node's test runner (`node --test`): the spec reporter's "failing tests" block (`test at
 * file:line:col`, then `✖ name (ms)`, then the error) or TAP's `not ok N - name` with its
 * `location:`. Each failure: `file:line:col name: the error's first line`.
 */
export function nodeTestFailures(output: string): string[] {
  const lines = output.split(/\r?\n/);
  const out: string[] = [];
  const block = lines.findIndex((l) => /^✖ failing tests:/.test(l.trim()));
  if (block >= 0) {
    for (let i = block + 1; i < lines.length; i++) {
      const at = /^test at (.+:\d+:\d+)$/.exec(lines[i]!.trim());
      const name = at ? /^✖ (.+?)(?: \([\d.]+m?s\))?$/.exec(lines[i + 1]?.trim() ?? '') : null;
      if (!at || !name) continue;
      const error = lines.slice(i + 2).find((l) => l.trim() !== '');
      const why = error && /^\s/.test(error) ? `: ${error.trim()}` : '';
      out.push(`${slash(at[1]!)} ${name[1]}${why}`);
      i++;
    }
    return [...new Set(out)];
  }
  for (let i = 0; i < lines.length; i++) {
    const failed = /^\s*not ok \d+ - (.+?)(?: # .*)?$/.exec(lines[i]!);
    if (!failed) continue;
    let where = '';
    for (let j = i + 1; j < lines.length && !/^\s*\.\.\.$/.test(lines[j]!); j++) {
      const loc = /^\s*location: '(.+)'$/.exec(lines[j]!);
      if (loc) where = `${slash(loc[1]!)} `;
    }
    out.push(`${where}${failed[1]}`);
  }
  return [...new Set(out)];
}
