import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { alive, cmdline, componentOf, descendants } from './lib/proc.mjs';
import { summarize } from './lib/stats.mjs';
import {
  dropFile,
  makeRoot,
  now,
  paths,
  readStamps,
  removeRoot,
  startTree,
  stopTree,
  waitFor,
} from './lib/tree.mjs';

/**
 * Recovery: `kill -9` of an idle worker, then a task dropped at once; from the kill until that
 * task's tool starts. A fresh tree per sample, because the supervisor's restart backoff and storm
 * limit (rightly) treat repeated quick exits differently from one crash. Baseline: a bare Node
 * parent that re-forks a bare Node child which starts the same tool.
 */

const here = path.dirname(fileURLToPath(import.meta.url));

function ledgerWorkerStart(root, pid) {
  for (const line of fs.readFileSync(paths(root).ledger, 'utf8').split('\n')) {
    if (line.includes(`"event":"worker.start","workerPid":${pid}`)) return Date.parse(JSON.parse(line).ts);
  }
  return NaN;
}

async function treeSample(i) {
  const root = await makeRoot('recovery');
  const stampFile = path.join(root, 'stamps.txt');
  const tree = await startTree(root, { settleMs: 500 });
  try {
    const old = tree.workerPid;
    const t0 = now();
    process.kill(old, 'SIGKILL');
    dropFile(root, `r${i}`, [{ id: `r${i}`, tool: 'stamp', args: [stampFile] }]);
    let forkedAt = NaN;
    let newPid;
    const [start] = await waitFor(
      'the task after a worker kill',
      () => {
        if (!newPid) {
          newPid = descendants(tree.pid).find((p) => p !== old && componentOf(cmdline(p)) === 'worker');
          if (newPid) forkedAt = now();
        }
        const s = readStamps(stampFile);
        return s.length ? s : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 5 },
    );
    return {
      ms: start - t0,
      toFork: forkedAt - t0,
      toWorkerStart: newPid ? ledgerWorkerStart(root, newPid) - t0 : NaN,
    };
  } finally {
    await stopTree(tree);
    await removeRoot(root);
  }
}

async function plainSamples(n) {
  const root = await makeRoot('recovery-plain');
  const stampFile = path.join(root, 'stamps.txt');
  const proc = spawn(process.execPath, [path.join(here, 'lib', 'plain-restarter.mjs'), stampFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const pids = [];
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (d) => pids.push(...d.split('\n').filter(Boolean).map(Number)));
  const out = [];
  try {
    for (let i = 0; i < n; i++) {
      await waitFor('the plain child', () => pids.length > i && alive(pids[i]), { intervalMs: 5 });
      // Let the baseline child run a moment before it is killed, as the tree's worker does.
      await new Promise((r) => setTimeout(r, 200));
      const t0 = now();
      process.kill(pids[i], 'SIGKILL');
      const s = await waitFor(
        'the plain re-fork',
        () => {
          const st = readStamps(stampFile);
          return st.length > i ? st : undefined;
        },
        { intervalMs: 5 },
      );
      out.push(s[i] - t0);
    }
  } finally {
    proc.kill('SIGKILL');
    for (const p of pids) if (alive(p)) process.kill(p, 'SIGKILL');
    await removeRoot(root);
  }
  return out;
}

export async function measure({ quick, log, more }) {
  const n = quick ? 3 : 10;
  const base = summarize(await plainSamples(n));
  log(`  plain re-fork: median ${base.median.toFixed(0)} ms`);
  const samples = [];
  for (let i = 0; i < n && more(i, 5); i++) {
    const s = await treeSample(i);
    log(
      `  tree sample ${i + 1}: ${s.ms.toFixed(0)} ms (re-forked after ${s.toFork.toFixed(0)} ms, worker.start after ${s.toWorkerStart.toFixed(0)} ms)`,
    );
    samples.push(s);
  }
  const v = summarize(samples.map((s) => s.ms));
  const fork = summarize(samples.map((s) => s.toFork));
  const ws = summarize(samples.map((s) => s.toWorkerStart));
  const boot = summarize(samples.map((s) => s.toWorkerStart - s.toFork));
  return [
    {
      key: 'recovery',
      label: 'recovery (kill -9 worker → next task starts)',
      unit: 'ms',
      value: v,
      baseline: { label: 'bare Node re-fork + spawn', value: base },
      ratio: summarize([v.median / base.median]),
      target: { text: '< 300 ms median', pass: v.median < 300 },
      phases: { toFork: fork, toWorkerStart: ws },
      note: `kill→new worker forked p50 ${fork.median.toFixed(0)} ms, →worker.start p50 ${ws.median.toFixed(0)} ms, →tool start p50 ${v.median.toFixed(0)} ms`,
    },
    {
      key: 'worker.boot',
      label: 'worker boot (fork → recovered, watching the inbox)',
      unit: 'ms',
      value: boot,
      baseline: { label: 'bare Node re-fork + spawn', value: base },
      ratio: summarize([boot.median / base.median]),
      target: { text: '< 150 ms median', pass: boot.median < 150 },
      note: 'from the new worker pid appearing to its worker.start ledger line (written once recovery is done and the inbox is watched)',
    },
  ];
}
