#!/usr/bin/env node
// Growth per batch: `node bench/plateau.mjs [--tasks=10000] [--batches=3]`. One tree runs 200 warm-up
// `true` tasks and then the batches one after another (concurrency 2), and prints each process's RSS
// after each, 8 s after the batch's last task. growth.mjs gives one figure against the warm tree;
// this tells a one-off rise (the first batch only) from a leak (every batch adds about the same).
// The environment is passed on to the tree, so e.g. `MALLOC_ARENA_MAX=8 node bench/plateau.mjs`
// compares another malloc setting.
import { cmdline, componentOf, descendants, rssKb } from './lib/proc.mjs';
import { benchTools, makeRoot, removeRoot, sleep, startTree, stopTree } from './lib/tree.mjs';
import { runTasks } from './growth.mjs';

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
  await runTasks(root, prefix, n, done);
  done += n;
  await sleep(3000); // 8 s after the last task in all
  const now = rssOf();
  const was = new Map(last ?? []);
  const cells = now.map(([n, mb]) => {
    const added = was.has(n) ? mb - was.get(n) : undefined;
    const delta = added === undefined ? '' : ` (${added >= 0 ? '+' : ''}${added.toFixed(1)})`;
    return `${n} ${mb.toFixed(1)} MB${delta}`;
  });
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
