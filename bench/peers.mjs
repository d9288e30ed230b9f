import { spawn, spawnSync } from 'node:child_process';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { summarize } from './lib/stats.mjs';
import {
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

/**
 * The peers on the same jobs: JOBS × `git --version` at concurrency 1, per job, in the same run and
 * interleaved: a plain Node `spawnSync` loop (the floor), headless, BullMQ on a local redis-server
 * (persistence off, and `appendfsync always`), task-spooler and nq. A peer that is not installed is
 * a row that says "not measured", never a missing row.
 */

const JOBS = Number(process.env.HEADLESS_BENCH_PEER_JOBS) || 200;
const GIT = ['git', ['--version']];

const which = (names) => {
  for (const n of names) {
    const r = spawnSync('sh', ['-c', 'command -v "$0"', n], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return undefined;
};

const tmpBase = () => process.env.HEADLESS_BENCH_TMP || os.tmpdir();
const mkTemp = (label) => fsp.mkdtemp(path.join(tmpBase(), `headless-bench-${label}-`));

function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: 'ignore', windowsHide: true, ...opts });
    p.once('error', reject);
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}`))));
  });
}

function plainLoop(n) {
  const t0 = now();
  for (let i = 0; i < n; i++) {
    const r = spawnSync(GIT[0], GIT[1], { stdio: 'ignore' });
    if (r.status !== 0) throw new Error('git --version failed');
  }
  return (now() - t0) / n;
}

async function headless(n, runNo) {
  const root = await makeRoot(`peer-hl`, {
    tools: { tools: { gitv: { executable: 'git', argv: ['--version'], writesRepo: false, concurrency: 1 } } },
    policies: { worker: { concurrency: 1 } },
  });
  const tree = await startTree(root);
  try {
    const lines = Array.from({ length: n }, (_, i) => ({ id: `g${runNo}-${i}`, tool: 'gitv' }));
    const t0 = dropFile(root, `peer-${runNo}`, lines);
    await waitFor(
      `${n} git tasks done`,
      () => countJson(paths(root).done) >= n || countJson(paths(root).failed) > 0,
      {
        timeoutMs: 120_000,
        intervalMs: 10,
      },
    );
    const ms = now() - t0;
    if (countJson(paths(root).failed)) throw new Error(`bench: headless git task failed; see ${root}`);
    return ms / n;
  } finally {
    await stopTree(tree);
    await removeRoot(root);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A private redis-server (own port, own temp dir), started for one setting and stopped after. */
async function startRedis(redisBin, fsyncAlways) {
  const dir = await mkTemp('redis');
  const port = await freePort();
  const persist = fsyncAlways ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  const proc = spawn(
    redisBin,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      ...persist,
      '--daemonize',
      'no',
    ],
    { stdio: 'ignore' },
  );
  await waitFor('redis-server to listen', () => {
    const r = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' });
    return r.stdout?.trim() === 'PONG';
  });
  return {
    port,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((resolve) => (proc.exitCode !== null ? resolve() : proc.once('exit', resolve)));
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}

async function bullmq(n, redis, runNo) {
  const { Queue, Worker } = await import('bullmq');
  const { Redis } = await import('ioredis');
  // BullMQ 6 in ESM takes constructed clients (ioredis is its optional peer).
  const clients = [];
  const client = () => {
    const c = new Redis({ host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null });
    clients.push(c);
    return c;
  };
  const name = `bench-${runNo}`;
  const queue = new Queue(name, { connection: client() });
  let done = 0;
  let failed;
  let resolveAll;
  const all = new Promise((resolve) => (resolveAll = resolve));
  const worker = new Worker(name, () => run(GIT[0], GIT[1]), { connection: client(), concurrency: 1 });
  worker.on('completed', () => {
    if (++done === n) resolveAll();
  });
  worker.on('failed', (_job, err) => {
    failed = err;
    resolveAll();
  });
  await worker.waitUntilReady();
  await queue.waitUntilReady();
  const t0 = now();
  await queue.addBulk(Array.from({ length: n }, (_, i) => ({ name: 'git', data: { i } })));
  let timer;
  const deadline = new Promise((resolve) => (timer = setTimeout(resolve, 120_000, 'timeout')));
  const end = await Promise.race([all, deadline]);
  clearTimeout(timer);
  const ms = now() - t0;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  for (const c of clients) c.disconnect();
  if (end === 'timeout') throw new Error(`bench: BullMQ did not finish ${n} jobs in 120 s`);
  if (failed) throw failed;
  return ms / n;
}

/** task-spooler: its own server (socket and output files in a temp dir), one slot. */
async function taskSpooler(n, bin) {
  const dir = await mkTemp('tsp');
  const env = {
    ...process.env,
    TS_SOCKET: path.join(dir, 'socket'),
    TMPDIR: dir,
    TS_SLOTS: '1',
    TS_MAXFINISHED: String(n + 10),
  };
  const opt = { env, stdio: 'ignore' };
  try {
    const t0 = now();
    for (let i = 0; i < n; i++) {
      const r = spawnSync(bin, GIT.flat(), opt);
      if (r.status !== 0) throw new Error(`${bin} enqueue failed`);
    }
    spawnSync(bin, ['-w'], opt);
    const ms = now() - t0;
    return ms / n;
  } finally {
    spawnSync(bin, ['-K'], { env, stdio: 'ignore' });
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

/** nq: jobs in a temp NQDIR, each waits for the earlier ones (concurrency 1 by design). */
async function nq(n, bin) {
  const dir = await mkTemp('nq');
  const env = { ...process.env, NQDIR: dir };
  try {
    const t0 = now();
    for (let i = 0; i < n; i++) {
      const r = spawnSync(bin, ['-q', ...GIT.flat()], { env, stdio: 'ignore' });
      if (r.status !== 0) throw new Error(`${bin} enqueue failed`);
    }
    spawnSync(bin, ['-w'], { env, stdio: 'ignore' });
    return (now() - t0) / n;
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

async function hasBullmq() {
  try {
    await import('bullmq');
    await import('ioredis');
    return true;
  } catch {
    return false;
  }
}

export async function measure({ quick, log, more }) {
  const n = process.env.HEADLESS_BENCH_PEER_JOBS ? JOBS : quick ? 100 : JOBS;
  const redisBin = which(['redis-server']);
  const bull = redisBin && which(['redis-cli']) && (await hasBullmq());
  const tspBin = which(['tsp', 'ts']);
  const nqBin = which(['nq']);
  const peers = [
    {
      key: 'bullmq',
      label: 'BullMQ, redis without persistence',
      missing: bull ? undefined : 'redis-server or bullmq not installed',
      fn: async (r) => {
        const redis = await startRedis(redisBin, false);
        try {
          return await bullmq(n, redis, r);
        } finally {
          await redis.stop();
        }
      },
    },
    {
      key: 'bullmq-fsync',
      label: 'BullMQ, redis appendfsync always',
      missing: bull ? undefined : 'redis-server or bullmq not installed',
      fn: async (r) => {
        const redis = await startRedis(redisBin, true);
        try {
          return await bullmq(n, redis, r);
        } finally {
          await redis.stop();
        }
      },
    },
    {
      key: 'tsp',
      label: `task-spooler (${tspBin ? path.basename(tspBin) : 'tsp'})`,
      missing: tspBin ? undefined : 'tsp/ts not installed',
      fn: () => taskSpooler(n, tspBin),
    },
    { key: 'nq', label: 'nq', missing: nqBin ? undefined : 'nq not installed', fn: () => nq(n, nqBin) },
  ];
  const plain = [];
  const mine = [];
  const theirs = Object.fromEntries(peers.map((p) => [p.key, []]));
  for (let r = 0; r < (quick ? 2 : 5) && more(r, 2); r++) {
    plain.push(plainLoop(n));
    mine.push(await headless(n, r));
    for (const p of peers) {
      if (p.missing) continue;
      log(`  peers run ${r + 1}: ${p.key}…`);
      theirs[p.key].push(await p.fn(r));
    }
    log(
      `  peers run ${r + 1}: plain ${plain.at(-1).toFixed(2)}, headless ${mine.at(-1).toFixed(2)}, ` +
        peers.map((p) => `${p.key} ${p.missing ? '-' : theirs[p.key].at(-1).toFixed(2)}`).join(', ') +
        ' ms/job',
    );
    // A fixed pause between rounds on purpose: the last round's exiting processes (redis clients,
    // the tree's stop) must not share the CPU with the next round's first jobs.
    await sleep(100);
  }
  const figures = [
    {
      key: 'peers.headless',
      label: `headless, ${n} × git --version, c=1`,
      unit: 'ms/job',
      value: summarize(mine),
      baseline: { label: 'plain Node spawnSync loop', value: summarize(plain) },
      ratio: summarize(mine.map((x, i) => x / plain[i])),
    },
  ];
  for (const p of peers) {
    const t = theirs[p.key];
    const target = p.key === 'tsp' ? undefined : { text: '< 1× (headless ahead)' };
    if (p.missing) {
      figures.push({
        key: `peers.${p.key}`,
        label: `headless vs ${p.label}`,
        unit: 'ms/job',
        value: summarize(mine),
        baseline: { label: p.label, notMeasured: `not measured: ${p.missing}` },
        ...(target ? { target: { ...target, pass: undefined } } : {}),
      });
      continue;
    }
    const ratio = summarize(mine.map((x, i) => x / t[i]));
    figures.push({
      key: `peers.${p.key}`,
      label: `headless vs ${p.label}`,
      unit: 'ms/job',
      value: summarize(mine),
      baseline: { label: p.label, value: summarize(t) },
      ratio,
      ...(target ? { target: { ...target, pass: ratio.median < 1 } } : {}),
    });
  }
  return figures;
}
