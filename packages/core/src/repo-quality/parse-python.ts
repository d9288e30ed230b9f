/**
 * What Ruff and pytest say failed, in their own terms. Pure: output text (and a junit file's text)
 * in, one line per finding out. Shapes observed with ruff 0.16 and pytest 9 (docs/quality.md).
 */

const lines = (text: string): string[] => text.split(/\r?\n/);
const unique = (list: string[]): string[] => [...new Set(list)];
const slash = (p: string): string => p.replace(/\\/g, '/');

/**
 * `ruff check`: `file:line:col: CODE [*] message` (concise), or the full format's
 * `CODE [*] message` followed by ` --> file:line:col`. Each becomes `file:line:col CODE message`.
 */
export function ruffCheckFailures(output: string): string[] {
  const out: string[] = [];
  const all = lines(output);
  all.forEach((line, i) => {
    const concise =
      /^(.+?):(\d+):(\d+): ([A-Z]+[0-9]+|SyntaxError|invalid-syntax)(?::)? (?:\[\*\] )?(.*)$/.exec(line);
    if (concise) {
      out.push(`${slash(concise[1] ?? '')}:${concise[2]}:${concise[3]} ${concise[4]} ${concise[5]}`.trim());
      return;
    }
    const head = /^([A-Z]+[0-9]+) (?:\[\*\] )?(.+)$/.exec(line);
    const arrow = /^\s*-->\s+(.+?):(\d+):(\d+)\s*$/.exec(all[i + 1] ?? '');
    if (head && arrow) out.push(`${slash(arrow[1] ?? '')}:${arrow[2]}:${arrow[3]} ${head[1]} ${head[2]}`);
  });
  return unique(out);
}

/**
 * `ruff format --check`: `Would reformat: file` (ruff < 0.9), or `unformatted: File would be
 * reformatted` followed by ` --> file:line:col`, or concise `file:l:c: unformatted: …`.
 */
export function ruffFormatFailures(output: string): string[] {
  const out: string[] = [];
  const all = lines(output);
  all.forEach((line, i) => {
    const old = /^Would reformat: (.+)$/.exec(line.trim());
    if (old?.[1]) out.push(`${slash(old[1])}: would be reformatted (ruff format)`);
    const concise = /^(.+?):\d+:\d+: unformatted:/.exec(line);
    if (concise?.[1]) out.push(`${slash(concise[1])}: would be reformatted (ruff format)`);
    if (/^unformatted: /.test(line)) {
      const arrow = /^\s*-->\s+(.+?):\d+:\d+\s*$/.exec(all[i + 1] ?? '');
      if (arrow?.[1]) out.push(`${slash(arrow[1])}: would be reformatted (ruff format)`);
    }
  });
  return unique(out);
}

/** pytest's short test summary: `FAILED tests/test_x.py::test_y - AssertionError…`, `ERROR tests/x.py - …`. */
export function pytestSummaryFailures(output: string): string[] {
  return unique(
    lines(output)
      .map((l) => /^(?:FAILED|ERROR) (.+?)(?: - (.*))?$/.exec(l.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => (m[2] ? `${slash(m[1] ?? '')} - ${m[2].slice(0, 200)}` : slash(m[1] ?? ''))),
  );
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m?.[1] === undefined ? undefined : xmlUnescape(m[1]);
}

export function xmlUnescape(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|amp|quot|apos);/gi, (_, e: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
    if (e.startsWith('#x') || e.startsWith('#X')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return named[e.toLowerCase()] ?? _;
  });
}

/**
 * pytest's --junitxml: each `<testcase>` holding a `<failure>` or `<error>`, as
 * `tests/test_x.py::test_y` (the `file` attribute, xunit1) or `tests.test_x::test_y` (classname).
 */
export function pytestJunitFailures(xml: string): string[] {
  const out: string[] = [];
  const re = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const m of xml.matchAll(re)) {
    const body = m[3] ?? '';
    const bad = /<(failure|error)\b([^>]*)>?/.exec(body);
    if (!bad) continue;
    const tag = m[1] ?? '';
    const name = attr(tag, 'name') ?? '?';
    const file = attr(tag, 'file');
    const where = file ? `${slash(file)}::${name}` : `${attr(tag, 'classname') ?? '?'}::${name}`;
    const message = attr(bad[2] ?? '', 'message')?.split('\n')[0];
    out.push(message ? `${where} - ${message.slice(0, 200)}` : where);
  }
  return unique(out);
}
