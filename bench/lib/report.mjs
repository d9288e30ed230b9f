/** The table printed to stdout and the Markdown copy kept in bench/latest.md. */

function fmt(x, unit) {
  if (!Number.isFinite(x)) return '-';
  const abs = Math.abs(x);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return `${x.toFixed(digits)}${unit ? ` ${unit}` : ''}`;
}

function spread(v, unit) {
  if (!v || v.n < 2) return '-';
  // Few runs: the whole range; many samples: p10-p90 keeps one outlier from hiding the rest.
  const [lo, hi] = v.n >= 20 ? [v.p10, v.p90] : [v.min, v.max];
  return `${fmt(lo)}–${fmt(hi, unit)}${v.n >= 20 ? ' (p10–p90)' : ''}`;
}

function baselineCell(f) {
  if (!f.baseline) return '-';
  // A peer that is not installed stays in the table, saying so.
  if (f.baseline.notMeasured) return `${f.baseline.label}: ${f.baseline.notMeasured}`;
  const b = f.baseline;
  const shown = b.show === 'p99' ? `p99 ${fmt(b.value.p99, f.unit)}` : fmt(b.value.median, b.unit ?? f.unit);
  return `${shown} (${b.label})`;
}

export function rows(results) {
  return results.figures.map((f) => [
    f.label,
    f.show === 'p99' ? `p99 ${fmt(f.value.p99, f.unit)}` : fmt(f.value.median, f.unit),
    spread(f.value, f.unit),
    `n=${f.value.n}`,
    baselineCell(f),
    f.ratio ? `${fmt(f.ratio.median)}×` : '-',
    f.target ? f.target.text : '-',
    f.target ? (f.target.pass === undefined ? 'not measured' : f.target.pass ? 'pass' : 'MISS') : '-',
  ]);
}

const HEAD = ['figure', 'median', 'spread', 'runs', 'baseline', 'ratio', 'target', 'result'];

function machineLine(m, results) {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, temp roots on ${m.tmpdirFs}${m.loadAvg !== undefined ? `, load average ${m.loadAvg} at start` : ''}; commit ${m.commit}, ${results.date}${results.quick ? ' (--quick)' : ''}, bench took ${results.durationSec} s`;
}

export function renderTable(results) {
  const body = rows(results);
  const widths = HEAD.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (r) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const out = [line(HEAD), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
  out.push('', `machine: ${machineLine(results.machine, results)}`);
  for (const f of results.figures) if (f.note) out.push(`note (${f.label}): ${f.note}`);
  for (const e of results.errors) out.push(`BROKEN ${e.measurement}: ${e.error.split('\n')[0]}`);
  return out.join('\n');
}

export function renderMarkdown(results) {
  const esc = (s) => s.replace(/\|/g, '\\|');
  const out = [
    '## Performance',
    '',
    `Measured with \`npm run bench\` on ${machineLine(results.machine, results)}.`,
    'Each figure is the median over several runs in one bench run; the baseline is the cheapest way to do',
    'the same work, measured in the same run. A miss is a finding (see bench/FINDINGS.md), not a test failure.',
    '',
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map(() => '---').join('|')}|`,
    ...rows(results).map((r) => `| ${r.map(esc).join(' | ')} |`),
    '',
  ];
  const notes = results.figures.filter((f) => f.note);
  if (notes.length) {
    out.push('Notes:', '');
    for (const f of notes) out.push(`- ${f.label}: ${f.note}`);
    out.push('');
  }
  for (const e of results.errors) out.push(`- BROKEN ${e.measurement}: ${e.error.split('\n')[0]}`, '');
  return `${out.join('\n')}`;
}
