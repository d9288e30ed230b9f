import { spawn } from 'node:child_process';
import os from 'node:os';
import { summarize } from './lib/stats.mjs';
import {
  benchTools,
  countJson,
  dropFile,
  makeRoot,
  now,
  paths,
  removeRoot,
  startTree,
  stopTree,
  waitFor,
} from './lib/tree.mjs';

/**
 * Throughput: TASKS trivial tasks (`true`) dropped as one JSONL file into an idle running tree,
 * timed from the rename until all are in done/, per task; beside it the same commands spawned by a
 * plain Node loop with the same number of lanes, in the same run, interleaved with the tree runs.
 */

// HEADLESS_BENCH_TP_TASKS: fewer tasks on a box too loaded for 500 within the deadline.
const TASKS = Number(process.env.HEADLESS_BENCH_TP_TASKS) || 500;

function spawnOnce(cmd) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, [], { stdio: 'ignore', windowsHide: true });
    p.once('error', reject);
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}`))));
  });
}

/** The cheapest way to run the same work: `lanes` loops, each spawning and awaiting one at a time. */
export async function plainSpawnLoop(n, lanes, cmd = 'true') {
  let next = 0;
  const t0 = now();
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < n) {
        next++;
        await spawnOnce(cmd);
      }
    }),
  );
  return now() - t0;
}

async function treeRun(concurrency, run, log) {
  const root = await makeRoot(`tp${concurrency}`, {
    tools: benchTools(concurrency),
    policies: { worker: { concurrency } },
  });
  const tree = await startTree(root);
  try {
    const lines = Array.from({ length: TASKS }, (_, i) => ({ id: `t${run}-${i}`, tool: 'true' }));
    const t0 = dropFile(root, `tp-${run}`, lines);
    const doneDir = paths(root).done;
    await waitFor(
      `${TASKS} tasks done`,
      () => countJson(doneDir) >= TASKS || countJson(paths(root).failed) > 0,
      {
        timeoutMs: 180_000,
        intervalMs: 20,
      },
    );
    const ms = now() - t0;
    const failed = countJson(paths(root).failed);
    if (failed) throw new Error(`bench: ${failed} throughput task(s) failed; see ${root}`);
    log(`  tree c=${concurrency} run ${run + 1}: ${(ms / TASKS).toFixed(2)} ms/task`);
    return ms / TASKS;
  } finally {
    await stopTree(tree);
    await removeRoot(root);
  }
}

/** Concurrency c against 1: how many times the throughput of c=1 (target 0.85 × c, 1.7× at c=2). */
function speedup(c1, t, c) {
  const x = c1 ? c1.value.median / t.median : NaN;
  const want = 0.85 * c;
  return {
    text: `≥ ${want.toFixed(1)}× c=1 throughput (now ${Number.isFinite(x) ? x.toFixed(2) : '-'}×)`,
    pass: x >= want,
  };
}

export async function measure({ quick, log, allotMs = Infinity }) {
  const runs = quick ? 1 : 3;
  const levels = [...new Set([1, os.availableParallelism()])];
  const figures = [];
  for (const c of levels) {
    const tree = [];
    const base = [];
    // Each level gets its part of the time share; past it, two runs are the minimum.
    const levelStart = Date.now();
    const levelMore = (done) => done < 2 || Date.now() - levelStart < allotMs / levels.length;
    for (let run = 0; run < runs && levelMore(run); run++) {
      const b = (await plainSpawnLoop(TASKS, c)) / TASKS;
      log(`  plain loop c=${c} run ${run + 1}: ${b.toFixed(2)} ms/task`);
      base.push(b);
      tree.push(await treeRun(c, run, log));
    }
    const t = summarize(tree);
    const b = summarize(base);
    const ratio = summarize(tree.map((x, i) => x / base[i]));
    figures.push({
      key: `throughput.c${c}`,
      label: `throughput, concurrency ${c} (${TASKS} × true)`,
      unit: 'ms/task',
      value: t,
      baseline: { label: 'plain Node spawn loop', value: b },
      ratio,
      ...(c === 1
        ? { target: { text: '≤ 2× baseline', pass: ratio.median <= 2 } }
        : { target: speedup(figures[0], t, c) }),
    });
  }
  return figures;
}
