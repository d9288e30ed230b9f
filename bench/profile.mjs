#!/usr/bin/env node
// Where the time goes, for the findings: runs one scenario against a real tree with
// `--cpu-prof` (NODE_OPTIONS reaches the supervisor's forked children), then prints the hottest
// functions (self time) and packages per process, plus phase timings from the ledger.
// Usage: node bench/profile.mjs throughput|pickup|ingest|status|boot   (profiles land in bench/tmp/)
//        node bench/profile.mjs analyse <dir of .cpuprofile files>
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { summarize } from './lib/stats.mjs';
import { componentOf } from './lib/proc.mjs';
import {
  benchTools,
  cliBin,
  countJson,
  dropFile,
  makeRoot,
  now,
  paths,
  removeRoot,
  sleep,
  startTree,
  stopTree,
  waitFor,
} from './lib/tree.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const scenario = process.argv[2] ?? 'throughput';
const outDir = path.join(here, 'tmp', `${scenario}-${Date.now()}`); // bench/tmp is git-ignored
fs.mkdirSync(outDir, { recursive: true });
// `--io` adds the fs/spawn tracer instead of the CPU profiler (both at once would blur the times).
// `--nofsync` makes fsync a no-op in the tree (an experiment: what durability costs).
const io = process.argv.includes('--io');
const nofsync = process.argv.includes('--nofsync')
  ? ` --import=${path.join(here, 'lib', 'no-fsync.mjs')}`
  : '';
const env = {
  ...process.env,
  HEADLESS_BENCH_TRACE_DIR: outDir,
  NODE_OPTIONS:
    (io
      ? `--import=${path.join(here, 'lib', 'io-trace.mjs')}`
      : `--cpu-prof --cpu-prof-dir=${outDir} --cpu-prof-interval=200`) + nofsync,
};
let tasksDone = 0;

/** Self time per function and per package/area from a .cpuprofile. */
function analyse(file, top = 25) {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i] ?? 0;
    self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + dt);
  }
  const fns = new Map();
  const areas = new Map();
  let total = 0;
  for (const [id, us] of self) {
    const n = byId.get(id);
    const { functionName, url, lineNumber } = n.callFrame;
    const short = url
      .replace(/^file:\/\//, '')
      .replace(/.*\/node_modules\//, 'nm:')
      .replace(/.*\/packages\//, 'pkg:');
    const key = `${functionName || '(anonymous)'} ${short ? `${short}:${lineNumber + 1}` : ''}`.trim();
    fns.set(key, (fns.get(key) ?? 0) + us);
    const area = !url
      ? functionName
      : url.startsWith('node:')
        ? 'node internals'
        : /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1]
          ? `nm:${/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)[1]}`
          : /packages\/([^/]+)/.exec(url)?.[1]
            ? `pkg:${/packages\/([^/]+)/.exec(url)[1]}`
            : short;
    areas.set(area, (areas.get(area) ?? 0) + us);
    total += us;
  }
  // Inclusive (self + callees) time of our own functions: only the synchronous part of each call.
  const incl = new Map();
  const walk = (id, stack) => {
    const n = byId.get(id);
    const { functionName, url, lineNumber } = n.callFrame;
    const m = /packages\/([^/]+)\/dist\/(.*)$/.exec(url);
    const key = m ? `${functionName || '(anonymous)'} pkg:${m[1]}/${m[2]}:${lineNumber + 1}` : undefined;
    const fresh = key && !stack.has(key);
    if (fresh) stack.add(key);
    let sum = self.get(id) ?? 0;
    for (const c of n.children ?? []) sum += walk(c, stack);
    if (fresh) {
      stack.delete(key);
      incl.set(key, (incl.get(key) ?? 0) + sum);
    }
    return sum;
  };
  walk(prof.nodes[0].id, new Set());
  const fmt = (m) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([k, us]) =>
          `    ${(us / 1000).toFixed(1).padStart(8)} ms  ${((us / total) * 100).toFixed(1).padStart(5)} %  ${k}`,
      )
      .join('\n');
  return {
    total,
    text: `  by area:\n${fmt(areas)}\n  by function (self):\n${fmt(fns)}\n  our functions (inclusive, synchronous part):\n${fmt(incl)}`,
  };
}

function report(dir = outDir) {
  for (const f of fs.readdirSync(dir).filter((n) => /^io-\d+\.json$/.test(n))) {
    const { argv, stats } = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    const who = componentOf(argv) ?? argv.join(' ').slice(0, 60);
    const per = tasksDone || 1;
    console.log(
      `\n== ${who} (${f}): awaited time per kind${tasksDone ? `, per task over ${tasksDone} tasks` : ''}`,
    );
    for (const [k, v] of Object.entries(stats).sort((a, b) => b[1].ms - a[1].ms))
      console.log(
        `    ${(v.ms / per).toFixed(2).padStart(8)} ms  ${(v.n / per).toFixed(1).padStart(6)} calls  ${k}`,
      );
  }
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.cpuprofile'))) {
    const pid = /^CPU\.\d+\.\d+\.(\d+)\./.exec(f)?.[1];
    const { total, text } = analyse(path.join(dir, f));
    console.log(`\n== ${f} (pid ${pid}): ${(total / 1000).toFixed(0)} ms sampled\n${text}`);
  }
}

/** Per task: done(prev) -> attempt.start -> attempt.end -> task.done, from the ledger (ms). */
function ledgerPhases(root) {
  const recs = fs
    .readFileSync(paths(root).ledger, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const byTask = new Map();
  for (const r of recs) {
    if (!r.task) continue;
    const e = byTask.get(r.task) ?? {};
    e[r.event] = Date.parse(r.ts);
    if (r.event === 'attempt.end') e.durationMs = r.durationMs;
    byTask.set(r.task, e);
  }
  const tasks = [...byTask.values()]
    .filter((e) => e['task.done'])
    .sort((a, b) => a['attempt.start'] - b['attempt.start']);
  const gap = [];
  for (let i = 1; i < tasks.length; i++) gap.push(tasks[i]['attempt.start'] - tasks[i - 1]['task.done']);
  const med = (xs) => summarize(xs).median.toFixed(1);
  console.log(
    `ledger phases per task (median ms): previous task.done -> attempt.start ${med(gap)}; attempt.start -> attempt.end ${med(tasks.map((t) => t['attempt.end'] - t['attempt.start']))} (runner durationMs ${med(tasks.map((t) => t.durationMs))}); attempt.end -> task.done ${med(tasks.map((t) => t['task.done'] - t['attempt.end']))}`,
  );
}

async function main() {
  if (scenario === 'analyse') {
    fs.rmdirSync(outDir);
    report(process.argv[3]);
    return;
  }
  if (scenario === 'status') {
    const root = await makeRoot('prof-status');
    execFileSync(process.execPath, [cliBin, 'status', '--json', '--root', root], { env, stdio: 'ignore' });
    report();
    await removeRoot(root);
    return;
  }
  const concurrency = 1;
  const root = await makeRoot(`prof-${scenario}`, {
    tools: benchTools(concurrency),
    policies: { worker: { concurrency } },
  });
  const t0 = now();
  const tree = await startTree(root, { env });
  console.log(`tree ready after ${(now() - t0).toFixed(0)} ms`);
  try {
    if (scenario === 'throughput') {
      const n = 300;
      const t = dropFile(
        root,
        'prof',
        Array.from({ length: n }, (_, i) => ({ id: `p${i}`, tool: 'true' })),
      );
      await waitFor('tasks done', () => countJson(paths(root).done) >= n, {
        timeoutMs: 300_000,
        intervalMs: 20,
      });
      console.log(`${n} tasks: ${((now() - t) / n).toFixed(2)} ms/task`);
      tasksDone = n;
      ledgerPhases(root);
    } else if (scenario === 'ingest') {
      const n = 5000;
      const lines = Array.from({ length: n }, (_, i) => ({
        id: `i${i}`,
        tool: 'true',
        not_before: '2100-01-01T00:00:00Z',
      }));
      const t = dropFile(root, 'ingest', lines);
      await waitFor('ingest', () => !fs.existsSync(path.join(paths(root).inbox, 'ingest.jsonl')), {
        timeoutMs: 300_000,
      });
      console.log(`${n} tasks ingested: ${(n / ((now() - t) / 1000)).toFixed(0)} tasks/s`);
      tasksDone = n;
    } else if (scenario === 'pickup') {
      const stamp = path.join(root, 'stamps.txt');
      for (let i = 0; i < 20; i++) {
        dropFile(root, `p${i}`, [{ id: `p${i}`, tool: 'stamp', args: [stamp] }]);
        await waitFor(
          'stamp',
          () => fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').split('\n').length > i + 1,
        );
        // Paces drops one by one, as in the pickup measurement this profiles.
        await sleep(200);
      }
    } else if (scenario === 'boot') {
      // Boot profile: give the tree two seconds to finish starting before the profiles are written.
      await sleep(2000);
    }
  } finally {
    await stopTree(tree, { timeoutMs: 60_000 });
    report();
    console.log(`\nprofiles: ${outDir}; root kept at ${root}`);
  }
}

await main();
