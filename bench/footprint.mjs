import { spawn } from 'node:child_process';
import { CLK_TCK, cmdline, componentOf, cpuTicks, descendants, pssKb, rssKb } from './lib/proc.mjs';
import { summarize } from './lib/stats.mjs';
import { benchTools, makeRoot, now, removeRoot, sleep, startTree, stopTree } from './lib/tree.mjs';

/**
 * Footprint of the idle tree: resident memory of the supervisor and every process under it after
 * 5 s idle, sampled each second, as VmRSS (each process's resident pages, so the node binary's
 * shared pages count once per process) and as PSS (a page shared by n processes counts 1/n in each:
 * the tree's real cost); CPU from utime+stime over the idle window, per 5 s slice; and the growth
 * over the window (last 5 s against the first 5 s). Baseline: one bare idle Node process
 * (`setInterval`), measured over the same window. `--long`: a 30-minute window.
 */

const SLICE_MS = 5000;

function ticksOf(pids) {
  let sum = 0;
  for (const p of pids) sum += cpuTicks(p) ?? 0;
  return sum;
}

/** Summed MB of the tree's processes by one per-process reading (rssKb, pssKb). */
const treeMb = (pids, kbOf) => pids.map(kbOf).reduce((a, b) => a + b, 0) / 1024;

/**
 * The same idle tree with one loop enabled (a day-long interval: it runs once at the start, then
 * idles), so the orchestrator is forked: the three-process tree of the default config.
 */
async function withLoop(log) {
  const tools = {
    ...benchTools(),
    loops: {
      IdleLoop: { enabled: true, intervalSec: 86400, repos: ['.'], steps: [{ tool: 'true', args: [] }] },
    },
  };
  const root = await makeRoot('footprint-loop', { tools });
  const tree = await startTree(root, { settleMs: 0 });
  try {
    // The same 5 s settle the main idle sample gets after the tree's start: the figure is the idle tree's.
    await sleep(5000);
    const pids = [tree.pid, ...descendants(tree.pid)];
    const rss = [];
    const pss = [];
    for (let i = 0; i < 10; i++) {
      // One sample a second, as in the main window.
      await sleep(1000);
      rss.push(treeMb(pids, rssKb));
      pss.push(treeMb(pids, pssKb));
    }
    log(`  idle tree with a loop: ${pids.length} processes`);
    return { n: pids.length, rss: summarize(rss), pss: summarize(pss) };
  } finally {
    await stopTree(tree);
    await removeRoot(root);
  }
}

/** A memory row: the tree's median against one bare idle Node's, target < 150 MB. */
function memoryRow(key, label, value, bare, note) {
  return {
    key,
    label,
    unit: 'MB',
    value,
    baseline: { label: 'one bare idle Node', value: bare },
    ratio: summarize([value.median / bare.median]),
    target: { text: '< 150 MB', pass: value.median < 150 },
    ...(note ? { note } : {}),
  };
}

/** The four memory rows: the queue-only tree and the tree with a loop, RSS and PSS. */
function memoryRows(n, byProc, tree, looped, bare) {
  return [
    memoryRow(
      'footprint.rss',
      `idle tree resident memory (${n} processes)`,
      tree.rss,
      bare.rss,
      `per process (max): ${byProc}; RSS counts the node binary's shared pages once per process`,
    ),
    memoryRow(
      'footprint.pss',
      `idle tree proportional memory, PSS (${n} processes)`,
      tree.pss,
      bare.pss,
      'PSS: shared pages divided among the processes sharing them (what the tree really costs)',
    ),
    memoryRow(
      'footprint.rss.loop',
      `idle tree with a loop enabled, RSS (${looped.n} processes)`,
      looped.rss,
      bare.rss,
      'the default config enables GitStatusLoop: this is the tree most users run',
    ),
    memoryRow(
      'footprint.pss.loop',
      `idle tree with a loop enabled, PSS (${looped.n} processes)`,
      looped.pss,
      bare.pss,
    ),
  ];
}

export async function measure({ quick, long, log }) {
  const looped = await withLoop(log);
  const windowMs = long ? 30 * 60_000 : quick ? 10_000 : 30_000;
  const root = await makeRoot('footprint');
  const tree = await startTree(root, { settleMs: 0 });
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  try {
    // Let the bare process reach its idle size before it is measured (the same settling the tree gets).
    await sleep(5000);
    const pids = [tree.pid, ...descendants(tree.pid)];
    const names = pids.map((p) => componentOf(cmdline(p)) ?? cmdline(p).join(' ').slice(0, 40));
    const rss = [];
    const pss = [];
    const bareRss = [];
    const barePss = [];
    const cpu = [];
    const bareCpu = [];
    let t = now();
    let ticks = ticksOf(pids);
    let bareTicks = ticksOf([bare.pid]);
    const perProcess = pids.map(() => 0);
    const end = t + windowMs;
    while (now() < end) {
      for (let s = 0; s < SLICE_MS / 1000 && now() < end; s++) {
        // Sampling interval of the idle-CPU measurement: the interval is the thing measured.
        await sleep(1000);
        const each = pids.map(rssKb);
        each.forEach((kb, i) => (perProcess[i] = Math.max(perProcess[i], kb)));
        rss.push(each.reduce((a, b) => a + b, 0) / 1024);
        pss.push(treeMb(pids, pssKb));
        bareRss.push(rssKb(bare.pid) / 1024);
        barePss.push(pssKb(bare.pid) / 1024);
      }
      const t2 = now();
      const ticks2 = ticksOf(pids);
      const bareTicks2 = ticksOf([bare.pid]);
      const secs = (t2 - t) / 1000;
      cpu.push(((ticks2 - ticks) / CLK_TCK / secs) * 100);
      bareCpu.push(((bareTicks2 - bareTicks) / CLK_TCK / secs) * 100);
      [t, ticks, bareTicks] = [t2, ticks2, bareTicks2];
    }
    const byProc = names.map((n, i) => `${n} ${(perProcess[i] / 1024).toFixed(0)} MB`).join(', ');
    log(
      `  idle tree: ${byProc}; cpu per ${SLICE_MS / 1000} s slice: ${cpu.map((c) => c.toFixed(2)).join(', ')} %`,
    );
    const r = summarize(rss);
    const p = summarize(pss);
    const bp = summarize(barePss);
    // Growth over the window: the mean of the last 5 samples against the first 5.
    const mean = (a) => a.reduce((x, y) => x + y, 0) / (a.length || 1);
    const grew = (a) => mean(a.slice(-5)) - mean(a.slice(0, 5));
    const c = summarize(cpu);
    const br = summarize(bareRss);
    const bc = summarize(bareCpu);
    return [
      ...memoryRows(pids.length, byProc, { rss: r, pss: p }, looped, { rss: br, pss: bp }),
      {
        key: 'footprint.growth',
        label: `idle tree growth over ${windowMs / 60_000 >= 1 ? `${windowMs / 60_000} min` : `${windowMs / 1000} s`} (RSS / PSS)`,
        unit: 'MB',
        value: summarize([grew(rss)]),
        baseline: { label: 'PSS growth', value: summarize([grew(pss)]) },
        target: { text: '≤ 1 MB', pass: grew(rss) <= 1 && grew(pss) <= 1 },
        note: 'mean of the last 5 one-second samples minus the first 5',
      },
      {
        key: 'footprint.cpu',
        label: `idle tree CPU (${windowMs / 1000} s, % of one core)`,
        unit: '%',
        value: c,
        baseline: { label: 'one bare idle Node', value: bc },
        target: { text: '< 1 % of a core', pass: c.median < 1 },
      },
    ];
  } finally {
    bare.kill('SIGKILL');
    await stopTree(tree);
    await removeRoot(root);
  }
}
