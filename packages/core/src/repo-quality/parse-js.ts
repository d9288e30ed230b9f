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
