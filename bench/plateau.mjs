#!/usr/bin/env node
// Growth per batch: `node bench/plateau.mjs [--tasks=10000] [--batches=3]`. One tree runs 200 warm-up
// `true` tasks and then the batches one after another (concurrency 2), and prints each process's RSS
// after each, 8 s after the batch's last task. growth.mjs gives one figure against the warm tree;
// this tells a one-off rise (the first batch only) from a leak (every batch adds about the same).
// The environment is passed on to the tree, so e.g. `MALLOC_ARENA_MAX=8 node bench/plateau.mjs`
// compares another malloc setting.
import { cmdline, componentOf, descendants, rssKb } from './lib/proc.mjs';
import {
  benchTools,
  countJson,
  dropFile,
  makeRoot,
  paths,
  removeRoot,
  sleep,
  startTree,
  stopTree,
  waitFor,
} from './lib/tree.mjs';

const arg = (name, dflt) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const tasks = arg('tasks', 10_000);
const batches = arg('batches', 3);

const root = await makeRoot('plateau', { tools: benchTools(2), policies: { worker: { concurrency: 2 } } });
const tree = await startTree(root, { settleMs: 3000 });
const rssOf = () =>
  [tree.pid, ...descendants(tree.pid)].map((p) => [componentOf(cmdline(p)) ?? String(p), rssKb(p) / 1024]);
let done = 0;
let last;
async function batch(prefix, n) {
  dropFile(
    root,
    prefix,
    Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, tool: 'true' })),
  );
  done += n;
  await waitFor(`${prefix} done`, () => countJson(paths(root).done) >= done, {
    timeoutMs: 1_200_000,
    intervalMs: 500,
  });
  if (countJson(paths(root).failed) > 0) throw new Error(`bench: a task failed; see ${root}`);
  await sleep(8000);
  const now = rssOf();
  const was = new Map(last ?? []);
  const cells = now.map(
    ([n, mb]) =>
      `${n} ${mb.toFixed(1)} MB${was.has(n) ? ` (${mb - was.get(n) >= 0 ? '+' : ''}${(mb - was.get(n)).toFixed(1)})` : ''}`,
  );
  console.log(`${prefix.padEnd(8)} ${cells.join(', ')}`);
  last = now;
}
try {
  await batch('warm', 200);
  for (let b = 1; b <= batches; b++) await batch(`batch${b}`, tasks);
} finally {
  await stopTree(tree);
  await removeRoot(root);
}
