#!/usr/bin/env node
// `npm run chaos:night`: the "survive the night" checks that take minutes (not in `npm test`).
//   node chaos/night.mjs [--only disk,sleep,bigledger] [--keep]
// - disk: the root on a 10 MB tmpfs, tasks that print a lot; while full no process of the tree may
//   exit; after a remount to 200 MB every task must reach a final state within 90 s with no restart
//   by hand, and the ledger must have no unparsable line (issue 11, acceptance check 1). Needs root.
// - sleep: the tree and a running 12 s task SIGSTOPped for 70 s, then continued: the task must end
//   in its first attempt, no process restarted, no crash counted (acceptance check 2).
// - bigledger: a 1 GB ledger is rotated by the next append; `headless ledger --task` and
//   `--tail` still find the old records (acceptance check 6).
// Prints a table; exits 1 when a check fails.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkQueue } from './lib/invariants.mjs';
import {
  chaosEnv,
  chaosTools,
  dropInbox,
  fastPolicies,
  readJson,
  runCli,
  sleep,
  spawnCli,
  waitUntil,
  within,
} from './lib/common.mjs';
import { hasProcfs, isAlive, killNow, markedProcesses } from './lib/procs.mjs';

function formatTable(rows) {
  const head = ['campaign', 'check', 'value', 'ok'];
  const body = rows.map(([c, k, v, ok]) => [
    c,
    k,
    String(v),
    ok === 'finding' ? 'finding' : ok ? 'ok' : 'FAIL',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : undefined;
const keep = args.includes('--keep');
const want = (c) => !only || only.includes(c);
const log = (s) => process.stderr.write(`${s}\n`);

/** Writes config into an existing (mounted) folder, like makeRoot does into a fresh one. */
async function writeRoot(root, policies) {
  await fsp.mkdir(path.join(root, 'config'), { recursive: true });
  await fsp.writeFile(path.join(root, 'config', 'tools.json'), JSON.stringify(chaosTools(), null, 1));
  await fsp.writeFile(path.join(root, 'config', 'policies.json'), JSON.stringify(policies, null, 1));
  await fsp.mkdir(path.join(root, '.tasks', 'inbox'), { recursive: true });
}

const supervisorState = (root) => readJson(path.join(root, '.tasks', 'run', 'supervisor.json'));
const restartsOf = (s) => (s ? s.children.worker.restarts + s.children.orchestrator.restarts : undefined);

async function stopTree(root, env, sup, runId) {
  await runCli(['stop', '--root', root, '--timeout', '30'], { env });
  await within(sup.exited, 35000);
  await waitUntil(() => markedProcesses(runId).length === 0, 5000);
  const orphans = markedProcesses(runId);
  for (const p of orphans) killNow(p.pid);
  return orphans;
}

async function diskCampaign() {
  if (process.getuid?.() !== 0) return [['disk', 'skipped', 'needs root to mount a tmpfs', true]];
  const base = await fsp.mkdtemp(path.join(os.tmpdir(), 'hl-night-disk-'));
  const root = path.join(base, 'root');
  await fsp.mkdir(root);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=10m', 'tmpfs', root]);
  const runId = `night-disk-${process.pid}-${Date.now()}`;
  const policies = fastPolicies({
    worker: { concurrency: 2, taskLogMaxBytes: 1024 * 1024 },
    disk: { minFreeMb: 2, checkIntervalSec: 1 },
    logs: { level: 'info', maxSize: '1m', maxFiles: 3 },
  });
  await writeRoot(root, policies);
  const env = chaosEnv(runId, root, { FAKE_STATE_DIR: path.join(base, 'fake-state') });
  const supLog = path.join(base, 'supervisor-console.log');
  const sup = spawnCli(['start', '--root', root], { env, logFile: supLog });
  await waitUntil(() => supervisorState(root).then((s) => s?.children.worker.state === 'running'), 20000);
  const expected = new Map();
  const loud = "for (let i = 0; i < 3000; i++) console.log(i, 'x'.repeat(400))";
  const lines = [];
  for (let i = 1; i <= 24; i++) {
    const id = `d-${String(i).padStart(3, '0')}`;
    expected.set(id, 'done');
    lines.push({ id, tool: 'node', args: ['-e', loud] });
  }
  await dropInbox(root, 'loud.jsonl', lines);

  // While full: sample whether the tree stays up and what status says.
  const pids = new Set();
  let supDied = false;
  let statusShowedPause = false;
  let fullSeen = false;
  const fullUntil = Date.now() + 40_000;
  while (Date.now() < fullUntil) {
    const st = await supervisorState(root);
    if (st?.children.worker.pid) pids.add(`w${st.children.worker.pid}`);
    if (st?.children.orchestrator.pid) pids.add(`o${st.children.orchestrator.pid}`);
    if (!isAlive(sup.pid)) supDied = true;
    const free = fs.statfsSync(root);
    if (Number(free.bavail) * Number(free.bsize) < 512 * 1024) fullSeen = true;
    const status = await runCli(['status', '--root', root, '--json'], { env, timeoutMs: 20000 });
    if (/low disk|not claiming|paused/i.test(status.stdout)) statusShowedPause = true;
    // A sampling interval over the 40 s the disk stays full (not a wait for a condition).
    await sleep(2000);
  }
  const restartsWhileFull = restartsOf(await supervisorState(root));
  log(`chaos: disk full seen: ${fullSeen}; remounting to 200 MB`);
  execFileSync('mount', ['-o', 'remount,size=200m', root]);
  const t0 = Date.now();
  const settled = await waitUntil(async () => {
    const q = await checkQueue(root, expected);
    return q.counts.notTerminal === 0 && q.counts.inProcessing === 0 ? q : undefined;
  }, 90_000);
  const settleMs = Date.now() - t0;
  const q = await checkQueue(root, expected);
  const orphans = await stopTree(root, env, sup, runId);
  if (!keep) {
    execFileSync('umount', ['-l', root]);
    await fsp.rm(base, { recursive: true, force: true });
  } else log(`chaos: kept ${base} (still mounted on ${root})`);
  return [
    ['disk', 'the disk filled up', fullSeen, fullSeen],
    ['disk', 'supervisor stayed up while full', !supDied, !supDied],
    ['disk', 'child restarts while full', restartsWhileFull ?? '?', restartsWhileFull === 0],
    ['disk', 'status showed the pause and its reason', statusShowedPause, statusShowedPause],
    [
      'disk',
      'every task final after the remount (s)',
      settled ? Math.round(settleMs / 1000) : '>90',
      !!settled,
    ],
    ['disk', 'tasks lost', q.counts.lost, q.counts.lost === 0],
    ['disk', 'ledger unparsable lines', q.ledger.skipped, q.ledger.skipped === 0],
    ['disk', 'orphan processes', orphans.length, orphans.length === 0],
  ];
}

async function sleepCampaign() {
  const { makeRoot } = await import('./lib/common.mjs');
  const runId = `night-sleep-${process.pid}-${Date.now()}`;
  // Default heartbeat and recovery timing: a real user's tree, not the fast chaos one.
  const policies = fastPolicies({
    heartbeat: { intervalSec: 5, staleAfterSec: 30 },
    recovery: { staleAfterSec: 120, maxCrashes: 3 },
    supervisor: {
      restartBaseMs: 250,
      restartMaxMs: 30000,
      stableAfterSec: 60,
      stormRestarts: 5,
      stormWindowSec: 60,
      stormDelaySec: 300,
    },
    shutdown: { graceSec: 10 },
  });
  const root = await makeRoot('sleep', { policies });
  const env = chaosEnv(runId, root);
  const sup = spawnCli(['start', '--root', root], {
    env,
    logFile: path.join(root, 'supervisor-console.log'),
  });
  await waitUntil(() => supervisorState(root).then((s) => s?.children.worker.state === 'running'), 20000);
  await dropInbox(root, 'sleepy.jsonl', [{ id: 'sleepy', tool: 'slow', args: ['12000'] }]);
  await waitUntil(
    () => supervisorState(root).then((s) => s?.runningTasks.some((t) => t.id === 'sleepy')),
    20000,
  );
  // Let the task run a little before the stop, so the sleep falls in the middle of its attempt.
  await sleep(2000);
  const tree = [sup.pid, ...markedProcesses(runId).map((p) => p.pid)];
  log(`chaos: SIGSTOP ${tree.length} processes for 70 s`);
  for (const pid of tree) {
    try {
      process.kill(pid, 'SIGSTOP');
    } catch {
      // gone
    }
  }
  // The stop itself is what is tested: a fixed 70 s span (the figure), longer than
  // staleAfter and every attempt timeout, so any clock that counts the sleep would fire.
  await sleep(70_000);
  for (const pid of tree) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // gone
    }
  }
  const done = await waitUntil(
    async () => (await readJson(path.join(root, '.tasks', 'done', 'sleepy.json'))) ?? undefined,
    60_000,
  );
  const state = await supervisorState(root);
  const orphans = await stopTree(root, env, sup, runId);
  if (!keep) await fsp.rm(root, { recursive: true, force: true });
  return [
    ['sleep', 'task done', !!done, !!done],
    ['sleep', 'attempts', done?.attempts ?? '-', done?.attempts === 1],
    ['sleep', 'crashes counted', done?.crashes ?? 0, !(done?.crashes > 0)],
    ['sleep', 'child restarts', restartsOf(state) ?? '?', restartsOf(state) === 0],
    ['sleep', 'orphan processes', orphans.length, orphans.length === 0],
  ];
}

async function bigLedgerCampaign() {
  const { makeRoot } = await import('./lib/common.mjs');
  const root = await makeRoot('bigledger', { policies: fastPolicies({ logs: { ledgerMaxMb: 64 } }) });
  const file = path.join(root, 'logs', 'ledger.jsonl');
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'a');
  const pad = 'p'.repeat(900);
  const chunk = [];
  let n = 0;
  const t0 = Date.now();
  while (fs.fstatSync(fd).size < 1024 ** 3) {
    chunk.length = 0;
    for (let i = 0; i < 10000; i++, n++) {
      chunk.push(
        JSON.stringify({
          v: 1,
          ts: '2026-01-01T00:00:00.000Z',
          event: 'task.done',
          task: `old-${n}`,
          reason: pad,
        }),
      );
    }
    fs.writeSync(fd, `${chunk.join('\n')}\n`);
  }
  fs.closeSync(fd);
  log(`chaos: wrote a 1 GB ledger (${n} records) in ${Math.round((Date.now() - t0) / 1000)} s`);
  const { Ledger } = await import('../packages/core/dist/ledger/ledger.js');
  const ledger = new Ledger(file, { maxBytes: 64 * 1024 * 1024 });
  await ledger.append({ event: 'task.queued', task: 'new-1' });
  await ledger.close();
  const liveSize = fs.statSync(file).size;
  const env = chaosEnv(`night-ledger-${process.pid}`, root);
  const byTask = await runCli(['ledger', '--root', root, '--task', 'old-7', '--json'], {
    env,
    timeoutMs: 600000,
  });
  const tail = await runCli(['ledger', '--root', root, '--tail', '3', '--json'], { env });
  const tailTasks = tail.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).task);
  if (!keep) await fsp.rm(root, { recursive: true, force: true });
  return [
    ['bigledger', 'live file after one append (bytes)', liveSize, liveSize < 1024 * 1024],
    [
      'bigledger',
      'ledger --task finds an old record',
      byTask.stdout.includes('"old-7"'),
      byTask.stdout.includes('"old-7"'),
    ],
    [
      'bigledger',
      'ledger --tail reads across the rotation',
      tailTasks.join(','),
      tailTasks.at(-1) === 'new-1' && tailTasks.length === 3,
    ],
  ];
}

async function main() {
  if (!hasProcfs) {
    log('chaos night: needs Linux (/proc); nothing run');
    return;
  }
  const rows = [];
  for (const [name, fn] of [
    ['disk', diskCampaign],
    ['sleep', sleepCampaign],
    ['bigledger', bigLedgerCampaign],
  ]) {
    if (!want(name)) continue;
    log(`chaos: ${name}...`);
    try {
      rows.push(...(await fn()));
    } catch (err) {
      rows.push([name, 'campaign crashed', String(err?.stack ?? err).slice(0, 300), false]);
    }
  }
  process.stdout.write(`${formatTable(rows)}\n`);
  process.exitCode = rows.every((r) => r[3] === true || r[3] === 'finding') ? 0 : 1;
}

await main();
