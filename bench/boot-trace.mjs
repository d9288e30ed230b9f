#!/usr/bin/env node
// Phase trace of the worker's boot: `node bench/boot-trace.mjs [--runs=5]`. Starts a tree per run
// with HEADLESS_BOOT_TRACE set (core/src/boot-trace.ts), kill -9s its idle worker once and reads the
// marks the re-forked worker wrote on its way to `worker.start` (ms since its process started, CPU
// ms). Prints the median of each phase (the time since the mark before) over the runs.
import fs from 'node:fs';
import path from 'node:path';
import { makeRoot, removeRoot, startTree, stopTree, waitFor } from './lib/tree.mjs';

const runs = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? 5);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length
    ? s.length % 2
      ? s[(s.length - 1) / 2]
      : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
    : NaN;
};
const readTrace = (file) =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];

const boots = [];
for (let i = 0; i < runs; i++) {
  const root = await makeRoot('boot-trace');
  const file = path.join(root, 'boot-trace.jsonl');
  const tree = await startTree(root, { env: { ...process.env, HEADLESS_BOOT_TRACE: file }, settleMs: 300 });
  try {
    await waitFor('the first boot trace', () => readTrace(file).length >= 1 || undefined);
    process.kill(tree.workerPid, 'SIGKILL');
    const [, again] = await waitFor('the re-forked worker', () => {
      const t = readTrace(file);
      return t.length >= 2 ? t : undefined;
    });
    boots.push(again);
    const line = again.marks.map(([n, ms]) => `${n} ${ms.toFixed(0)}`).join(', ');
    process.stderr.write(`run ${i + 1}: cpu ${again.cpuMs} ms; ${line}\n`);
  } finally {
    await stopTree(tree);
    await removeRoot(root);
  }
}
const names = boots[0].marks.map(([n]) => n);
const rows = names.map((n, k) => {
  const at = boots.map((b) => b.marks[k]?.[1] ?? NaN);
  const step = boots.map((b) => (b.marks[k]?.[1] ?? NaN) - (k ? b.marks[k - 1][1] : 0));
  return `${n.padEnd(10)} at ${median(at).toFixed(0).padStart(5)} ms  phase ${median(step).toFixed(0).padStart(5)} ms`;
});
console.log(rows.join('\n'));
console.log(
  `cpu (user+sys) to done: median ${median(boots.map((b) => b.cpuMs))} ms over ${boots.length} runs`,
);
