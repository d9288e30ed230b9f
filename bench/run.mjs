#!/usr/bin/env node
// `npm run bench`: measures a real headless tree against the cheapest way to do the same work.
// Progress goes to stderr, the table to stdout, every figure to bench/results.json.
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { machineInfo } from './lib/machine.mjs';
import { renderMarkdown, renderTable } from './lib/report.mjs';
import { cliBin } from './lib/tree.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const MODULES = ['throughput', 'pickup', 'recovery', 'stop', 'footprint', 'growth', 'scale', 'peers'];
// Share of the time budget per measurement: on a loaded machine a measurement stops repeating
// (never below two runs) once it has used its share, so the whole bench stays under 10 minutes.
const SHARE = {
  throughput: 0.3,
  pickup: 0.08,
  recovery: 0.1,
  stop: 0.06,
  footprint: 0.08,
  growth: 0.1,
  scale: 0.26,
  peers: 0.12,
};
const BUDGET_SEC = 540;

function parseArgs(argv) {
  const opts = { quick: false, long: false, only: MODULES, saveLatest: false, render: false };
  for (const a of argv) {
    if (a === '--quick') opts.quick = true;
    else if (a === '--long') opts.long = true;
    else if (a === '--save-latest') opts.saveLatest = true;
    else if (a === '--render') opts.render = true;
    else if (a.startsWith('--only=')) opts.only = a.slice(7).split(',');
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'usage: node bench/run.mjs [--quick] [--long] [--only=throughput,pickup,recovery,stop,footprint,growth,scale,peers] [--save-latest]\n' +
          '       node bench/run.mjs --render [--save-latest]   (print the table of bench/results.json again)\n',
      );
      process.exit(0);
    } else {
      process.stderr.write(`bench: unknown option ${a} (try --help)\n`);
      process.exit(2);
    }
  }
  for (const m of opts.only)
    if (!MODULES.includes(m)) {
      process.stderr.write(`bench: unknown measurement ${m}; known: ${MODULES.join(', ')}\n`);
      process.exit(2);
    }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
if (opts.render) {
  const results = JSON.parse(fs.readFileSync(path.join(here, 'results.json'), 'utf8'));
  process.stdout.write(`${renderTable(results)}\n`);
  if (opts.saveLatest) fs.writeFileSync(path.join(here, 'latest.md'), renderMarkdown(results));
  process.exit(0);
}
if (!fs.existsSync(cliBin)) {
  process.stderr.write(`bench: ${cliBin} is missing; build first (npm run build)\n`);
  process.exit(2);
}
const log = (line) => process.stderr.write(`${line}\n`);
const started = Date.now();
const figures = [];
const errors = [];
for (const name of opts.only) {
  log(`bench: ${name}${opts.quick ? ' (quick)' : ''}`);
  const t0 = Date.now();
  const allotMs = BUDGET_SEC * 1000 * SHARE[name];
  // `more(done, min)`: repeat again? Always up to `min` runs, then only while within the share.
  const more = (done, min = 2) => done < min || Date.now() - t0 < allotMs;
  try {
    const mod = await import(`./${name}.mjs`);
    figures.push(...(await mod.measure({ quick: opts.quick, long: opts.long, log, more, allotMs })));
  } catch (err) {
    errors.push({
      measurement: name,
      error: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
    log(`bench: ${name} broke: ${err instanceof Error ? err.message : String(err)}`);
  }
  log(`bench: ${name} took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
const results = {
  machine: machineInfo(),
  date: new Date(started).toISOString(),
  quick: opts.quick,
  durationSec: Math.round((Date.now() - started) / 1000),
  figures,
  errors,
};
fs.writeFileSync(path.join(here, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`${renderTable(results)}\n`);
if (opts.saveLatest) fs.writeFileSync(path.join(here, 'latest.md'), renderMarkdown(results));
log(`bench: wrote ${path.join(here, 'results.json')}${opts.saveLatest ? ' and bench/latest.md' : ''}`);
// A missed target is a finding, not a failure: only a broken measurement fails the run.
process.exitCode = errors.length ? 1 : 0;
