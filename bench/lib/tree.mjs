import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { alive, descendants } from './proc.mjs';

/** Real trees in temp roots: create, start (`headless start`), drop inbox files, stop, clean up. */

export const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The bundled CLI (`npm run build`), as `npm start` and the registered service run it; else the tsc output. */
const bundledCli = path.join(repoDir, 'dist', 'headless.js');
export const cliBin = fs.existsSync(bundledCli)
  ? bundledCli
  : path.join(repoDir, 'packages', 'cli', 'dist', 'bin.js');
const serviceSpec = path.join(repoDir, 'packages', 'supervisor', 'dist', 'service', 'service-spec.js');
/** The flags a registered service starts the supervisor with (the bench starts it the same way). */
export const supervisorFlags = fs.existsSync(serviceSpec)
  ? ((await import(serviceSpec)).SUPERVISOR_NODE_FLAGS ?? [])
  : [];

/** Wall-clock time in ms with sub-ms resolution, comparable with `date +%s%N` from a tool. */
export const now = () => performance.timeOrigin + performance.now();

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor(what, pred, { timeoutMs = 30_000, intervalMs = 10 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`bench: timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * Tools the benchmarks use. Nothing from a task reaches a shell string: the `sh -c` scripts are
 * fixed here and the task's args only become `$0`/`$1` (a file path, a duration).
 */
export const benchTools = (concurrency = 4) => ({
  tools: {
    true: { executable: 'true', argv: ['{args}'], writesRepo: false, concurrency },
    // Appends the tool's own start time (ns since the epoch) to the file named by the task.
    stamp: {
      executable: 'sh',
      argv: ['-c', 'date +%s%N >> "$0"', '{args}'],
      writesRepo: false,
      concurrency,
    },
    sleep: { executable: 'sleep', argv: ['{args}'], writesRepo: false, concurrency },
  },
});

const tmpBase = () => process.env.HEADLESS_BENCH_TMP || os.tmpdir();

/** `HEADLESS_BENCH_SPAWNER=off`: every root runs with `policies.worker.spawner: "off"` (an A/B of the spawner). */
function withSpawnerSwitch(policies) {
  const mode = process.env.HEADLESS_BENCH_SPAWNER;
  if (!mode || policies.worker?.spawner) return policies;
  return { ...policies, worker: { ...policies.worker, spawner: mode } };
}

export async function makeRoot(label, { tools = benchTools(), policies: given = {} } = {}) {
  const policies = withSpawnerSwitch(given);
  const root = await fsp.mkdtemp(path.join(tmpBase(), `headless-bench-${label}-`));
  await fsp.mkdir(path.join(root, 'config'), { recursive: true });
  await fsp.writeFile(path.join(root, 'config', 'tools.json'), JSON.stringify(tools, null, 2));
  await fsp.writeFile(path.join(root, 'config', 'policies.json'), JSON.stringify(policies, null, 2));
  await fsp.mkdir(path.join(root, '.tasks', 'inbox'), { recursive: true });
  return root;
}

export const paths = (root) => ({
  inbox: path.join(root, '.tasks', 'inbox'),
  queued: path.join(root, '.tasks', 'queued'),
  done: path.join(root, '.tasks', 'done'),
  failed: path.join(root, '.tasks', 'failed'),
  ingested: path.join(root, '.tasks', 'ingested'),
  ledger: path.join(root, 'logs', 'ledger.jsonl'),
  supervisorJson: path.join(root, '.tasks', 'run', 'supervisor.json'),
  workerJson: path.join(root, '.tasks', 'run', 'worker.json'),
  stopFile: path.join(root, 'STOP.HEADLESS'),
});

export function countJson(dir) {
  try {
    return fs.readdirSync(dir).filter((n) => n.endsWith('.json')).length;
  } catch {
    return 0;
  }
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The worker's pid and whether it has logged `worker.start` (it is then in its loop, idle). */
export function workerStarted(root) {
  const hb = readJson(paths(root).workerJson);
  if (!hb || hb.state !== 'running' || !alive(hb.pid)) return undefined;
  let ledger;
  try {
    ledger = fs.readFileSync(paths(root).ledger, 'utf8');
  } catch {
    return undefined;
  }
  return ledger.includes(`"event":"worker.start","workerPid":${hb.pid}`) ? hb.pid : undefined;
}

/**
 * `headless start --root <root>` as a real process (stdout is a file, so not foreground). Resolves
 * once the worker has logged worker.start and the orchestrator is up (or not started: no loop
 * enabled), plus `settleMs` of quiet.
 */
export async function startTree(
  root,
  { env = process.env, settleMs = 300, nodeArgs = supervisorFlags } = {},
) {
  const out = fs.openSync(path.join(root, 'bench-start.log'), 'a');
  const t0 = now();
  const proc = spawn(process.execPath, [...nodeArgs, cliBin, 'start', '--root', root], {
    stdio: ['ignore', out, out],
    env,
    windowsHide: true,
  });
  fs.closeSync(out);
  const exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  let exitInfo;
  void exited.then((e) => (exitInfo = e));
  // A generous deadline: on a shared, overloaded box a start can take tens of seconds.
  const workerPid = await waitFor(
    'the tree to start',
    () => {
      if (exitInfo)
        throw new Error(
          `bench: headless start exited early (${JSON.stringify(exitInfo)}); see ${root}/bench-start.log`,
        );
      const sup = readJson(paths(root).supervisorJson);
      // The orchestrator runs only when a loop is enabled; the bench's roots have none.
      const orch = sup?.children?.orchestrator;
      if (orch?.state !== 'running' && !/no loop enabled/.test(orch?.reason ?? '')) return undefined;
      return workerStarted(root);
    },
    { timeoutMs: 120_000 },
  );
  const readyMs = now() - t0;
  // The idle tree is measured after a fixed quiet period, so start-up work is not counted as idle cost.
  await sleep(settleMs);
  return { proc, pid: proc.pid, root, workerPid, exited, readyMs };
}

/** Writes the lines to a dot-named temp file in the inbox and renames it into place; returns the time of the rename. */
export function dropFile(root, name, lines) {
  const inbox = paths(root).inbox;
  const tmp = path.join(inbox, `.${name}.jsonl.tmp`);
  fs.writeFileSync(tmp, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
  fs.renameSync(tmp, path.join(inbox, `${name}.jsonl`));
  return now();
}

/** Writes STOP.HEADLESS and waits for the tree to be gone; kills it if it does not go in time. */
export async function stopTree(tree, { timeoutMs = 30_000 } = {}) {
  const pids = [tree.pid, ...descendants(tree.pid)];
  fs.writeFileSync(paths(tree.root).stopFile, '');
  try {
    await waitFor('the tree to stop', () => pids.every((p) => !alive(p)), { timeoutMs, intervalMs: 20 });
  } finally {
    for (const p of pids) {
      try {
        if (alive(p)) process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  await tree.exited;
}

export async function removeRoot(root) {
  if (process.env.HEADLESS_BENCH_KEEP) return;
  await fsp.rm(root, { recursive: true, force: true });
}

/** Reads a stamp file written by the `stamp` tool: one start time (ms, sub-ms precise) per line. */
export function readStamps(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => /^\d+$/.test(l))
    .map((l) => Number(BigInt(l) / 1000n) / 1000);
}
