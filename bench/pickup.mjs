import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize } from './lib/stats.mjs';
import {
  dropFile,
  makeRoot,
  paths,
  readStamps,
  removeRoot,
  sleep,
  startTree,
  stopTree,
  waitFor,
} from './lib/tree.mjs';

/**
 * Pickup latency: one task dropped into an idle running tree, from the rename of its inbox file to
 * the start of the tool (the `stamp` tool writes its own start time). Drops are spaced by a random
 * pause so they do not lock onto any timer of the worker. Baseline: a plain fs.watch + spawn script.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const gap = () => 100 + Math.random() * 300;

async function dropAndWait(root, stampFile, name, before) {
  const t0 = dropFile(root, name, [{ id: name, tool: 'stamp', args: [stampFile] }]);
  const stamps = await waitFor(
    `pickup of ${name}`,
    () => {
      const s = readStamps(stampFile);
      return s.length > before ? s : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 5 },
  );
  return { t0, start: stamps[before] };
}

function ledgerTimes(root) {
  const out = new Map();
  for (const line of fs.readFileSync(paths(root).ledger, 'utf8').split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line);
    if (!r.task) continue;
    const e = out.get(r.task) ?? {};
    if (r.event === 'task.queued') e.queued = Date.parse(r.ts);
    if (r.event === 'attempt.start') e.attemptStart = Date.parse(r.ts);
    out.set(r.task, e);
  }
  return out;
}

async function treeSamples(n, log) {
  const root = await makeRoot('pickup');
  const stampFile = path.join(root, 'stamps.txt');
  const tree = await startTree(root, { settleMs: 1000 });
  const samples = [];
  try {
    for (let i = 0; i < n; i++) {
      // Drops are spaced so each one meets an idle tree (the figure is latency from idle, not under load).
      await sleep(gap());
      const name = `p${i}`;
      const { t0, start } = await dropAndWait(root, stampFile, name, i);
      samples.push({ name, t0, start, ms: start - t0 });
    }
    // Where the time goes: rename -> queued (ingest) -> attempt.start (claim) -> tool start.
    const lt = ledgerTimes(root);
    for (const s of samples) {
      const e = lt.get(s.name) ?? {};
      s.toQueued = e.queued - s.t0;
      s.toAttemptStart = e.attemptStart - s.t0;
    }
  } finally {
    await stopTree(tree);
    await removeRoot(root);
  }
  log(`  tree: p50 ${summarize(samples.map((s) => s.ms)).median.toFixed(1)} ms over ${n} drops`);
  // The tail, with where each slow drop's time went (drop number, → queued, → attempt.start, → tool).
  const slowest = [...samples].sort((a, b) => b.ms - a.ms).slice(0, 3);
  log(
    `  tree: slowest ${slowest.map((s) => `${s.name} ${s.ms.toFixed(0)} ms (queued ${s.toQueued} / attempt.start ${s.toAttemptStart})`).join(', ')}`,
  );
  return samples;
}

async function plainSamples(n, log) {
  const root = await makeRoot('pickup-plain');
  const stampFile = path.join(root, 'stamps.txt');
  const proc = spawn(process.execPath, [path.join(here, 'lib', 'plain-watcher.mjs'), paths(root).inbox], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve) => proc.stdout.once('data', resolve));
  const samples = [];
  try {
    for (let i = 0; i < n; i++) {
      await sleep(gap());
      const { t0, start } = await dropAndWait(root, stampFile, `b${i}`, i);
      samples.push(start - t0);
    }
  } finally {
    proc.kill('SIGKILL');
    await removeRoot(root);
  }
  log(`  plain watcher: p50 ${summarize(samples).median.toFixed(1)} ms over ${n} drops`);
  return samples;
}

export async function measure({ quick, log }) {
  const n = quick ? 15 : 50;
  const base = summarize(await plainSamples(n, log));
  const samples = await treeSamples(n, log);
  const v = summarize(samples.map((s) => s.ms));
  const queued = summarize(samples.map((s) => s.toQueued));
  const claimed = summarize(samples.map((s) => s.toAttemptStart));
  const phases = `rename→task.queued p50 ${queued.median.toFixed(0)} ms, →attempt.start p50 ${claimed.median.toFixed(0)} ms (ledger ms timestamps)`;
  return [
    {
      key: 'pickup.p50',
      label: 'pickup latency p50 (rename → tool start)',
      unit: 'ms',
      value: v,
      baseline: { label: 'plain fs.watch + spawn', value: base },
      ratio: summarize([v.median / base.median]),
      target: { text: 'p50 < 15 ms', pass: v.median < 15 },
      phases: { toQueued: queued, toAttemptStart: claimed },
      note: phases,
    },
    {
      key: 'pickup.p99',
      label: 'pickup latency p99 (rename → tool start)',
      unit: 'ms',
      show: 'p99',
      value: v,
      baseline: { label: 'plain fs.watch + spawn', value: base, show: 'p99' },
      ratio: summarize([v.p99 / base.p99]),
      target: { text: 'p99 < 50 ms', pass: v.p99 < 50 },
    },
  ];
}
