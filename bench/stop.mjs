import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { alive, cmdline, descendants } from './lib/proc.mjs';
import { summarize } from './lib/stats.mjs';
import { dropFile, makeRoot, now, paths, removeRoot, startTree, waitFor } from './lib/tree.mjs';

/**
 * Stop: STOP.HEADLESS written, until the supervisor and every process under it (children, tools)
 * are gone. Idle, and with two tasks running a `sleep` tool that would outlive the grace period (a
 * short grace, so the worker ends them at once and requeues them). Baseline: a bare Node process
 * told to exit (SIGTERM) until gone; for the busy stop, the idle stop.
 */

const GRACE_SEC = 2;

async function sample(withTasks, i) {
  const root = await makeRoot(withTasks ? 'stop-busy' : 'stop-idle', {
    policies: { worker: { concurrency: 2 }, shutdown: { graceSec: GRACE_SEC } },
  });
  const tree = await startTree(root, { settleMs: 500 });
  try {
    if (withTasks) {
      dropFile(root, `s${i}`, [
        { id: `s${i}a`, tool: 'sleep', args: ['60'] },
        { id: `s${i}b`, tool: 'sleep', args: ['60'] },
      ]);
      await waitFor(
        'two sleeping tools',
        () => descendants(tree.pid).filter((p) => /(^|\/)sleep$/.test(cmdline(p)[0] ?? '')).length === 2,
      );
    }
    const pids = [tree.pid, ...descendants(tree.pid)];
    const t0 = now();
    fs.writeFileSync(paths(root).stopFile, '');
    await waitFor('every process of the tree to exit', () => pids.every((p) => !alive(p)), {
      timeoutMs: 60_000,
      intervalMs: 5,
    });
    const ms = now() - t0;
    await tree.exited;
    return { ms, processes: pids.length };
  } finally {
    for (const p of [tree.pid, ...descendants(tree.pid)]) if (alive(p)) process.kill(p, 'SIGKILL');
    await removeRoot(root);
  }
}

async function plainSample() {
  const p = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  // The baseline process must be fully started before its stop is timed.
  await new Promise((r) => setTimeout(r, 200));
  const t0 = now();
  p.kill('SIGTERM');
  await waitFor('the bare node process', () => !alive(p.pid), { intervalMs: 2 });
  return now() - t0;
}

export async function measure({ quick, log }) {
  const nIdle = quick ? 2 : 5;
  const nBusy = quick ? 1 : 3;
  const base = [];
  const idle = [];
  for (let i = 0; i < nIdle; i++) {
    base.push(await plainSample());
    const s = await sample(false, i);
    log(`  idle stop ${i + 1}: ${s.ms.toFixed(0)} ms (${s.processes} processes)`);
    idle.push(s.ms);
  }
  const busy = [];
  for (let i = 0; i < nBusy; i++) {
    const s = await sample(true, i);
    log(`  stop with 2 tasks running ${i + 1}: ${s.ms.toFixed(0)} ms (${s.processes} processes)`);
    busy.push(s.ms);
  }
  const b = summarize(base);
  const v = summarize(idle);
  const w = summarize(busy);
  return [
    {
      key: 'stop.idle',
      label: 'stop, idle (STOP.HEADLESS → all processes gone)',
      unit: 'ms',
      value: v,
      baseline: { label: 'bare Node process, SIGTERM', value: b },
      ratio: summarize([v.median / b.median]),
      target: { text: '< 2 s', pass: v.median < 2000 },
    },
    {
      key: 'stop.busy',
      label: `stop, 2 tasks running (graceSec ${GRACE_SEC})`,
      unit: 'ms',
      value: w,
      baseline: { label: 'idle stop', value: v },
      ratio: summarize([w.median / v.median]),
      note: `with shutdown.graceSec ${GRACE_SEC} the worker has no time left to wait, so it ends the tools' trees at once and requeues their tasks; with the default 10 s, running tasks get up to the grace minus the kill grace and a second to finish first`,
    },
  ];
}
