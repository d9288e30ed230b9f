/**
 * Text helpers of the CLI faces. Plain text, no colours: the output goes to logs and pipes too.
 */

/**
 * Wraps text at spaces into lines of at most `width` characters. Nothing is ever cut or dropped: a
 * word longer than the width (a path, a URL) stands on a line of its own, whole, so a fix hint at
 * the end of a reason is always there to read and copy.
 */
export function wrap(text: string, width: number): string[] {
  const w = Math.max(10, width);
  const out: string[] = [];
  for (const para of text.split(/\r?\n/)) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (line === '') line = word;
      else if (line.length + 1 + word.length <= w) line += ` ${word}`;
      else {
        out.push(line);
        line = word;
      }
    }
    out.push(line);
  }
  return out;
}

/**
 * A table with aligned columns whose last column is wrapped to fit `width` (continuation lines
 * start under that column). When that leaves the last column narrower than `minLast`, it goes on
 * lines of its own under each row instead, indented. The other columns are short by construction
 * (ids, states, numbers).
 */
export function wrappedTable(headers: string[], rows: string[][], width: number, minLast = 40): string {
  const n = headers.length;
  const fixed = headers
    .slice(0, -1)
    .map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const indent = fixed.reduce((a, b) => a + b + 2, 0);
  const below = width - indent < minLast;
  const lastWidth = below ? width - 4 : width - indent;
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (i < n - 1 ? c.padEnd(fixed[i] ?? 0) : c))
      .join('  ')
      .trimEnd();
  const rule = (w: number) => '-'.repeat(w);
  const head = below ? headers.slice(0, -1) : headers;
  const lines = [fmt(head), fmt([...fixed.map(rule), ...(below ? [] : [rule(headers[n - 1]?.length ?? 6)])])];
  for (const r of rows) {
    const text = r[n - 1] ?? '';
    if (below) {
      lines.push(fmt(r.slice(0, -1)));
      if (text) for (const m of wrap(text, lastWidth)) lines.push(`    ${m}`);
      continue;
    }
    const [first = '', ...more] = wrap(text, lastWidth);
    lines.push(fmt([...r.slice(0, -1), first]));
    for (const m of more) lines.push(`${' '.repeat(indent)}${m}`);
  }
  return lines.join('\n');
}

/** 45s, 12m, 3h, 2d. */
export function shortDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '-';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

/** $0.42; `~` marks an estimate; `-` when no attempt reported a cost (never a made-up $0). */
export function money(usd: number | undefined, estimated = false): string {
  if (usd === undefined) return '-';
  const v = usd < 10 ? usd.toFixed(2) : usd.toFixed(0);
  return `${estimated ? '~' : ''}$${v}`;
}

/** 950, 12.3k, 4.1M. */
export function tokens(n: number | undefined): string {
  if (n === undefined) return '-';
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** `2026-12-01 08:05` in UTC: stable in tests and the same on every machine of a team. */
export function shortTime(iso: string | undefined): string {
  if (!iso) return '-';
  return iso.replace('T', ' ').slice(0, 16);
}

export const shortSha = (sha: string | undefined): string => (sha ? sha.slice(0, 9) : '-');
