// Faults: a tool that floods its output, a repository that disappears mid-task, a log folder that
// turns read-only and a log device that fills up. Each must give a clear error and lose no task:
// after the fault is gone and the worker restarted (recovery runs), every task is finished.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { readLedger } from '../packages/core/dist/ledger/ledger.js';
import { checkQueue } from './lib/invariants.mjs';
import {
  chaosEnv,
  chaosTools,
  dropInbox,
  fastPolicies,
  makeRoot,
  removeRoot,
  runCli,
  spawnCli,
  waitUntil,
  within,
} from './lib/common.mjs';
import { isAlive, markedProcesses } from './lib/procs.mjs';

const tools = () =>
  chaosTools({
    // Like slow, but an unexplained failure is retried: the second attempt meets the missing repo.
    slowt: {
      executable: 'slowtool',
      argv: ['{args}'],
      writesRepo: false,
      concurrency: 4,
      unknownFailure: 'transient',
    },
  });

function peakRssMb(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

async function stopWorker(root, worker) {
  await fsp.writeFile(path.join(root, 'STOP.HEADLESS'), '');
  const exit = await within(worker.exited, 30000);
  await fsp.rm(path.join(root, 'STOP.HEADLESS'), { force: true });
  if (!exit) process.kill(worker.pid, 'SIGKILL');
  return exit;
}

const terminal = async (root, ids) => {
  let n = 0;
  for (const s of ['done', 'failed'])
    n += (await fsp.readdir(path.join(root, '.tasks', s)).catch(() => [])).filter((x) =>
      ids.includes(x.slice(0, -5)),
    ).length;
  return n >= ids.length;
};

/** A tool printing `mb` MB and a repo removed while its task runs. */
async function floodAndVanish({ floodMb, log }) {
  const runId = `faults-${process.pid}-${Date.now()}`;
  const root = await makeRoot('faults', {
    tools: tools(),
    policies: fastPolicies({ worker: { taskLogMaxBytes: 4 * 1024 * 1024 } }),
  });
  const env = chaosEnv(runId, root);
  const violations = [];
  await fsp.mkdir(path.join(root, 'repo-a'));
  const worker = spawnCli(['worker', '--root', root], {
    env,
    logFile: path.join(root, 'worker-console.log'),
  });
  const expected = new Map([
    // Exit 0 without claude's JSON result line is "suspect" (onSuspect: attention): not done, and never lost.
    ['flood', 'failed'],
    ['vanish', 'failed'],
    ['after', 'done'],
  ]);
  const t0 = Date.now();
  await dropInbox(root, 'a.jsonl', [
    {
      id: 'flood',
      tool: 'claude',
      prompt: 'SCENARIO: flood\nprint a lot',
      env: { FAKE_FLOOD_MB: String(floodMb) },
      timeout_sec: 600,
    },
    { id: 'vanish', tool: 'slowt', repo: 'repo-a', args: ['1500', '1'], max_attempts: 3 },
  ]);
  // Remove the repo while its first attempt runs.
  await waitUntil(
    async () =>
      (await readLedger(path.join(root, 'logs', 'ledger.jsonl'))).records.some(
        (r) => r.event === 'attempt.start' && r.task === 'vanish',
      ),
    20000,
  );
  await fsp.rm(path.join(root, 'repo-a'), { recursive: true, force: true });
  await dropInbox(root, 'b.jsonl', [{ id: 'after', tool: 'slow', args: ['10'] }]);
  const done = await waitUntil(() => terminal(root, [...expected.keys()]), 600000, 250);
  const floodSec = Math.round((Date.now() - t0) / 1000);
  const rss = peakRssMb(worker.pid);
  const alive = isAlive(worker.pid);
  const exit = await stopWorker(root, worker);
  const q = await checkQueue(root, expected);
  const ledger = (await readLedger(path.join(root, 'logs', 'ledger.jsonl'))).records;
  const vanishEnd = ledger.filter((r) => r.task === 'vanish' && r.event === 'task.failed').pop();
  const logSize = (await fsp.stat(path.join(root, 'logs', 'task_flood.log')).catch(() => ({ size: -1 })))
    .size;
  if (!done) violations.push('flood/vanish tasks did not finish');
  if (!alive || !exit || exit.code !== 0)
    violations.push(`worker crashed or did not stop: ${JSON.stringify(exit)}`);
  if (!vanishEnd || !/does not exist|no longer exists/.test(vanishEnd.reason ?? ''))
    violations.push(`vanished repo: unclear reason ${JSON.stringify(vanishEnd?.reason)}`);
  if (logSize > 4 * 1024 * 1024 + 64 * 1024)
    violations.push(`flood task log is ${logSize} bytes, over its 4 MB cap`);
  violations.push(...q.violations);
  for (const p of markedProcesses(runId)) violations.push(`leftover process ${p.pid}: ${p.cmd}`);
  log(`  faults: flood of ${floodMb} MB and vanishing repo in ${floodSec} s, worker peak RSS ${rss} MB`);
  const rows = [
    [
      'faults',
      `flood ${floodMb} MB: outcome / task log bytes / worker peak RSS MB`,
      `${q.counts.lost || q.counts.notTerminal ? 'LOST' : 'done'} / ${logSize} / ${rss ?? '?'}`,
      done && logSize <= 4 * 1024 * 1024 + 64 * 1024,
    ],
    [
      'faults',
      'repo removed mid-task: outcome / reason',
      `failed / ${(vanishEnd?.reason ?? '-').replace(/\/\S+/g, '<repo>').slice(0, 70)}`,
      Boolean(vanishEnd && /does not exist|no longer exists/.test(vanishEnd.reason ?? '')),
    ],
  ];
  if (violations.length === 0) await removeRoot(root);
  else log(`  faults: root kept at ${root}`);
  return { rows, violations };
}

function canMount() {
  if (process.getuid?.() !== 0) return false;
  try {
    const dir = fs.mkdtempSync('/tmp/hl-chaos-mnt-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    fs.rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
}

/**
 * logs/ on a small tmpfs that is then made read-only (EROFS) or filled (ENOSPC) while the worker
 * runs and tasks arrive. The worker must say what is wrong; once the device is fixed and the
 * worker restarted, no task may be lost.
 */
async function logDevice(kind, log) {
  const runId = `faults-${kind}-${process.pid}-${Date.now()}`;
  const root = await makeRoot(`faults-${kind}`, { tools: tools() });
  const env = chaosEnv(runId, root);
  const logs = path.join(root, 'logs');
  await fsp.mkdir(logs, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', logs]);
  const violations = [];
  const expected = new Map();
  const consoleLog = path.join(root, 'worker-console.log');
  let worker = spawnCli(['worker', '--root', root], { env, logFile: consoleLog });
  try {
    const first = ['w1', 'w2', 'w3'];
    await dropInbox(
      root,
      'a.jsonl',
      first.map((id) => ({ id, tool: 'slow', args: ['20'] })),
    );
    for (const id of first) expected.set(id, 'done');
    await waitUntil(() => terminal(root, first), 20000);
    // A read-only file system stacked over logs/ (a remount would be refused while the logger holds
    // a file open): every file opened from now on is on a read-only device (EROFS).
    if (kind === 'read-only') execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', logs]);
    else {
      // Fill the device: the next append finds no space left.
      try {
        fs.writeFileSync(path.join(logs, 'filler'), Buffer.alloc(4 * 1024 * 1024));
      } catch {
        // ENOSPC once full, as intended
      }
    }
    const second = ['x1', 'x2', 'x3', 'x4'];
    await dropInbox(
      root,
      'b.jsonl',
      second.map((id) => ({ id, tool: 'slow', args: ['20'] })),
    );
    for (const id of second) expected.set(id, 'done');
    // Give the worker time to meet the fault.
    await waitUntil(() => terminal(root, second), 6000);
    const aliveDuring = isAlive(worker.pid);
    const errText = await fsp.readFile(consoleLog, 'utf8').catch(() => '');
    const code = kind === 'read-only' ? 'EROFS' : 'ENOSPC';
    const clear = new RegExp(`${code}|read-only file system|no space left`, 'i').test(errText);
    const stuck = (await fsp.readdir(path.join(root, '.tasks', 'processing'))).filter((x) =>
      x.endsWith('.json'),
    );
    // Repair the device and restart the worker, as an operator would.
    const exit = await stopWorker(root, worker);
    if (kind === 'read-only') execFileSync('umount', [logs]);
    else fs.rmSync(path.join(logs, 'filler'), { force: true });
    const again = await runCli(['run', '--root', root, '--quiet'], { env, timeoutMs: 60000 });
    const q = await checkQueue(root, expected);
    const lostOrStuck = q.counts.lost + q.counts.notTerminal;
    if (!clear) violations.push(`${kind} logs: no error naming ${code} on the worker's console`);
    if (!aliveDuring) violations.push(`${kind} logs: the worker died`);
    const findings = stuck.length
      ? [`${kind} logs: ${stuck.length} task(s) stayed in processing while the worker ran (FINDINGS.md F3)`]
      : [];
    if (again.code !== 0)
      violations.push(
        `${kind} logs: headless run after the repair exited ${again.code}: ${again.stderr.slice(0, 200)}`,
      );
    // The ledger cannot hold what happened while it was unwritable: its gaps are expected here.
    violations.push(
      ...q.violations.filter((v) => !/ledger:|no task\.queued/.test(v)).map((v) => `${kind} logs: ${v}`),
    );
    log(
      `  faults: ${kind} logs: clear error ${clear}, ${stuck.length} stuck in processing during the fault, worker exit ${JSON.stringify(exit)}`,
    );
    return {
      rows: [
        [
          'faults',
          `logs ${kind}: clear error / lost after repair`,
          `${clear ? 'yes' : 'no'} / ${lostOrStuck}`,
          clear && lostOrStuck === 0 && aliveDuring,
        ],
        [
          'faults',
          `logs ${kind}: tasks stuck in processing while the worker runs`,
          stuck.length,
          stuck.length === 0 ? true : 'finding',
        ],
      ],
      violations,
      findings,
    };
  } finally {
    if (isAlive(worker.pid)) process.kill(worker.pid, 'SIGKILL');
    for (const p of markedProcesses(runId)) process.kill(p.pid, 'SIGKILL');
    for (let i = 0; i < 2; i++) {
      try {
        execFileSync('umount', ['-l', logs], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
    if (violations.length === 0) await removeRoot(root);
    else log(`  faults: ${kind} root kept at ${root}`);
  }
}

export async function faultsCampaign({ floodMb, short, log }) {
  const rows = [];
  const violations = [];
  const findings = [];
  const a = await floodAndVanish({ floodMb, log });
  rows.push(...a.rows);
  violations.push(...a.violations);
  if (!short && canMount()) {
    for (const kind of ['read-only', 'full']) {
      const r = await logDevice(kind, log);
      rows.push(...r.rows);
      violations.push(...r.violations);
      findings.push(...r.findings);
    }
  } else {
    rows.push([
      'faults',
      'read-only / full log device',
      short ? 'long run only' : 'not simulated (needs root and tmpfs mounts)',
      true,
    ]);
  }
  return { rows, violations, findings };
}
