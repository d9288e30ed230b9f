#!/usr/bin/env node
// Load-independent per-task cost of the worker, for before -> after comparisons on a shared box:
// CPU time (utime+stime from /proc) per task and, with --strace, the worker's syscalls per task
// (`strace -c -p <each worker thread>`: fsyncs, renames, opens, readdirs, stats...). Wall time is printed
// too, but on a loaded box only the counts mean much.
// The worker's spawner (the child that starts the tools, policies.worker.spawner) is measured too:
// its CPU per task, and the sum; and the supervisor's. --spawner=off runs the same with the worker forking itself (A/B).
// --queued=<n>: <n> tasks not due before 2100 wait in the queue the whole time (the per-pass cost of a long queue).
// --cpu-prof: a CPU profile of every process of the tree into bench/tmp/cost-<time>/ (`node bench/profile.mjs analyse <dir>`).
// Usage: node bench/cost.mjs [--tasks=300] [--c=1] [--tool=true|echo] [--queued=0] [--strace] [--cpu-prof] [--spawner=off]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CLK_TCK, cmdline, componentOf, cpuTicks, descendants } from './lib/proc.mjs';
import {
  benchTools,
  countJson,
  dropFile,
  makeRoot,
  now,
  paths,
  removeRoot,
  repoDir,
  supervisorFlags,
  sleep,
  startTree,
  stopTree,
  waitFor,
} from './lib/tree.mjs';

const arg = (name, dflt) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : dflt;
};
const tasks = arg('tasks', 300);
const c = arg('c', 1);
// --tool=echo: each task prints one line (`git --version`'s), to see what output costs against `true`.
const toolArg = process.argv.find((x) => x.startsWith('--tool='));
const taskTool = toolArg ? toolArg.slice(7) : 'true';
const withStrace = process.argv.includes('--strace');
// --trace: every syscall of the worker's threads (not futex/epoll), with its duration, written to bench/tmp/trace-<time>.txt, to see
// which file each open/write/rename is for (use with a small --tasks).
const withTrace = process.argv.includes('--trace');
// --semi=<MB>: the tree started with --max-semi-space-size=<MB> (the children inherit it): GC cost vs memory.
const semi = arg('semi', 0);
// --perf: `perf record` of the worker (kernel and native frames; JS shows as anonymous).
const withPerf = process.argv.includes('--perf');
const queued = arg('queued', 0);
const cpuProfDir = process.argv.includes('--cpu-prof')
  ? path.join(repoDir, 'bench', 'tmp', `cost-${Date.now()}`)
  : '';
const spawnerMode = process.argv.includes('--spawner=off') ? 'off' : 'auto';

function userSys(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { u: Number(f[11]), s: Number(f[12]) };
}

/** strace -c's summary table: syscall -> calls. */
function parseStrace(text) {
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$/.exec(line);
    if (m && m[2] !== 'total') out[m[2]] = Number(m[1]);
  }
  return out;
}

/**
 * Where a task's wall time goes, from the ledger's ms timestamps (the measured tasks only): the
 * tool's own run (durationMs), the rest of the attempt (claim written → run sent → spawn; exit →
 * attempt.end), and the gap from one attempt.end to the next attempt.start (at c=1: the finish's
 * writes and a loop pass).
 */
function printGaps(root, n) {
  const start = new Map();
  const ends = [];
  for (const line of fs.readFileSync(paths(root).ledger, 'utf8').split('\n')) {
    if (!line.includes('"k-')) continue;
    const e = JSON.parse(line);
    if (e.event === 'attempt.start') start.set(e.task, Date.parse(e.ts));
    if (e.event === 'attempt.end') ends.push({ task: e.task, end: Date.parse(e.ts), run: e.durationMs });
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const inAttempt = ends.map((x) => x.end - (start.get(x.task) ?? NaN) - x.run);
  const starts = [...start.values()].sort((a, b) => a - b);
  const between = ends
    .map((x) => (starts.find((t) => t >= x.end) ?? NaN) - x.end)
    .filter((g) => Number.isFinite(g));
  console.log(
    `ledger, median of ${n} tasks: tool run ${med(ends.map((x) => x.run))} ms, rest of the attempt ${med(inAttempt)} ms, attempt.end -> next attempt.start ${med(between)} ms`,
  );
}

const root = await makeRoot(`cost${c}`, {
  tools: {
    tools: {
      ...benchTools(c).tools,
      echo: { executable: 'echo', argv: ['git version 2.43.0'], writesRepo: false, concurrency: c },
    },
  },
  policies: { worker: { concurrency: c, spawner: spawnerMode } },
});
const tree = await startTree(root, {
  ...(semi
    ? {
        nodeArgs: [
          ...supervisorFlags.filter((f) => !f.startsWith('--max-semi-space-size')),
          `--max-semi-space-size=${semi}`,
        ],
      }
    : {}),
  ...(cpuProfDir
    ? {
        env: {
          ...process.env,
          NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${cpuProfDir} --cpu-prof-interval=500`,
        },
      }
    : {}),
});
if (queued) {
  // Waiting tasks (not due for decades): every loop pass meets them, none runs.
  const waiting = Array.from({ length: queued }, (_, i) => ({
    id: `q-${i}`,
    tool: 'true',
    not_before: '2100-01-01T00:00:00Z',
  }));
  dropFile(root, 'queued', waiting);
  await waitFor(`${queued} queued`, () => !fs.existsSync(path.join(paths(root).inbox, 'queued.jsonl')), {
    timeoutMs: 300_000,
    intervalMs: 50,
  });
}
let tracer;
const traceFile = path.join(root, 'strace.txt');
try {
  if (withTrace) {
    const out = path.join(repoDir, 'bench', 'tmp', `trace-${Date.now()}.txt`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const tids = fs.readdirSync(`/proc/${tree.workerPid}/task`).flatMap((t) => ['-p', t]);
    const skip = '!futex,epoll_pwait,epoll_ctl,getpid,mprotect,madvise,mmap,munmap,brk';
    tracer = spawn('strace', ['-tt', '-T', '-s', '120', '-e', `trace=${skip}`, '-o', out, ...tids], {
      stdio: 'ignore',
    });
    console.log(`trace: ${out}`);
    await sleep(500);
  } else if (withStrace) {
    // Every thread of the worker (the libuv pool does the file calls), not followed into the tools.
    const tids = fs.readdirSync(`/proc/${tree.workerPid}/task`).flatMap((t) => ['-p', t]);
    tracer = spawn('strace', ['-c', '-o', traceFile, ...tids], { stdio: 'ignore' });
    await sleep(500);
  } else if (withPerf) {
    const out = path.join(repoDir, 'bench', 'tmp', `perf-${Date.now()}.data`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    tracer = spawn('perf', ['record', '-F', '499', '-g', '-o', out, '-p', String(tree.workerPid)], {
      stdio: 'ignore',
    });
    console.log(`perf data: ${out} (perf report -i ${out} --no-children --sort sym)`);
    await sleep(500);
  }
  // A few tasks first, so the spawner is up (its start is not a per-task cost) and execa loaded.
  dropFile(
    root,
    'warm',
    [1, 2, 3].map((i) => ({ id: `w-${i}`, tool: taskTool })),
  );
  await waitFor('warm-up done', () => countJson(paths(root).done) >= 3, {
    timeoutMs: 60_000,
    intervalMs: 20,
  });
  const spawnerPid = descendants(tree.workerPid).find((p) => componentOf(cmdline(p)) === 'spawner');
  const spawner0 = spawnerPid ? cpuTicks(spawnerPid) : undefined;
  const cpu0 = cpuTicks(tree.workerPid);
  const split0 = userSys(tree.workerPid);
  const supervisor0 = cpuTicks(tree.proc.pid);
  const lines = Array.from({ length: tasks }, (_, i) => ({ id: `k-${i}`, tool: taskTool }));
  const t0 = dropFile(root, 'cost', lines);
  await waitFor(`${tasks} done`, () => countJson(paths(root).done) >= tasks + 3, {
    timeoutMs: 600_000,
    intervalMs: 20,
  });
  const wall = now() - t0;
  const cpu1 = cpuTicks(tree.workerPid);
  const split1 = userSys(tree.workerPid);
  const cpuMs = (((cpu1 ?? 0) - (cpu0 ?? 0)) * 1000) / CLK_TCK;
  const spawner1 = spawnerPid ? cpuTicks(spawnerPid) : undefined;
  const spawnerMs =
    spawner0 === undefined || spawner1 === undefined ? 0 : ((spawner1 - spawner0) * 1000) / CLK_TCK;
  const supervisorMs = (((cpuTicks(tree.proc.pid) ?? 0) - (supervisor0 ?? 0)) * 1000) / CLK_TCK;
  const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
  console.log(
    `c=${c} ${tasks} tasks: wall ${(wall / tasks).toFixed(2)} ms/task, worker CPU ${(cpuMs / tasks).toFixed(2)} ms/task (user ${(((split1.u - split0.u) * 1000) / CLK_TCK / tasks).toFixed(2)}, sys ${(((split1.s - split0.s) * 1000) / CLK_TCK / tasks).toFixed(2)}; load ${load})`,
  );
  console.log(
    spawnerPid
      ? `spawner ${spawnerPid}: CPU ${(spawnerMs / tasks).toFixed(2)} ms/task; worker + spawner ${((cpuMs + spawnerMs) / tasks).toFixed(2)} ms/task`
      : `no spawner (policies.worker.spawner: ${spawnerMode}): the worker starts the tools itself`,
  );
  console.log(`supervisor ${tree.proc.pid}: CPU ${(supervisorMs / tasks).toFixed(2)} ms/task`);
  printGaps(root, tasks);
  if (tracer && (withPerf || withTrace)) {
    tracer.kill('SIGINT');
    await new Promise((r) => tracer.once('exit', r));
  } else if (tracer) {
    tracer.kill('SIGINT');
    await new Promise((r) => tracer.once('exit', r));
    const calls = parseStrace(fs.readFileSync(traceFile, 'utf8'));
    const total = Object.values(calls).reduce((a, b) => a + b, 0);
    console.log(`syscalls per task (the worker's threads): ${(total / tasks).toFixed(1)}`);
    for (const [k, v] of Object.entries(calls)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 30))
      console.log(`  ${(v / tasks).toFixed(2).padStart(8)}  ${k}`);
  }
} finally {
  if (tracer && tracer.exitCode === null) tracer.kill('SIGINT');
  await stopTree(tree);
  await removeRoot(root);
  if (cpuProfDir) console.log(`profiles: ${cpuProfDir} (node bench/profile.mjs analyse ${cpuProfDir})`);
}
