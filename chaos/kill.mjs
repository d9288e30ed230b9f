// Kill campaign: a real tree (`headless start`) works through a few hundred slowtool tasks (random
// sleeps, some leaving a SIGTERM-ignoring grandchild, some failing on purpose) while the worker, the
// orchestrator or the supervisor is killed with SIGKILL at random instants; a killed supervisor is
// started again like the logon task would. Afterwards every task must be in exactly one terminal
// state, none lost, nothing in processing, no process of ours left, and the ledger must parse.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { checkQueue, leftovers } from './lib/invariants.mjs';
import {
  chaosEnv,
  chaosTools,
  dropInbox,
  fastPolicies,
  makeRoot,
  readJson,
  removeRoot,
  runCli,
  sleep,
  spawnCli,
  waitUntil,
  within,
} from './lib/common.mjs';
import { componentPid, isAlive, killNow, markedProcesses } from './lib/procs.mjs';

/** The current worker's pid once it has written its first heartbeat. */
async function workerWorking(root, runId) {
  const pid = componentPid(runId, 'worker');
  if (!pid) return undefined;
  const hb = await readJson(path.join(root, '.tasks', 'run', 'worker.json'));
  return hb?.pid === pid && hb.state === 'running' ? pid : undefined;
}

/**
 * @param {{ rng: ReturnType<import('./lib/common.mjs').makeRng>, kills: number, tasks: number,
 *   gapMs: [number, number], log: (s: string) => void, keep?: boolean }} opts
 */
export async function killCampaign(opts) {
  const { rng, log } = opts;
  const runId = `kill-${process.pid}-${Date.now()}`;
  const loops = {
    chaosloop: {
      description: 'a loop whose step leaves a grandchild, so orchestrator kills can orphan tools',
      intervalSec: 1,
      jitter: 0,
      repos: ['.'],
      steps: [{ tool: 'slow', args: ['400', '0', '--grandchild'] }],
    },
  };
  const root = await makeRoot('kill', { tools: chaosTools({}, loops), policies: fastPolicies() });
  const env = chaosEnv(runId, root);
  const supLog = path.join(root, 'supervisor-console.log');
  const expected = new Map();
  const injected = { worker: 0, orchestrator: 0, supervisor: 0, missed: 0, restarts: 0 };
  const feeder = taskFeeder(rng, opts.tasks, expected, root);
  const feed = feeder.feed;

  let sup = spawnCli(['start', '--root', root], { env, logFile: supLog });
  const t0 = Date.now();
  await waitUntil(() => componentPid(runId, 'worker'), 15000);

  // Spread the tasks over the campaign so kills land during ingest, claims, runs and moves.
  const perRound = Math.max(1, Math.ceil(opts.tasks / Math.max(1, opts.kills)));
  let kills = 0;
  while (kills < opts.kills) {
    if (feeder.left() && rng.chance(0.9)) await feed(rng.int(1, perRound * 2 - 1));
    const kind = rng.pick([
      'worker',
      'worker',
      'worker',
      'orchestrator',
      'orchestrator',
      'supervisor',
      'supervisor',
    ]);
    // Kill at a random instant of a working tree: once the worker has beaten (it takes ~1 s to boot,
    // and a worker killed while it boots would never be caught holding a task).
    await waitUntil(() => workerWorking(root, runId), 8000);
    await sleep(rng.int(opts.gapMs[0], opts.gapMs[1]));
    if (!isAlive(sup.pid)) {
      // The previous supervisor is gone (killed below): the logon task starts a new one.
      sup = spawnCli(['start', '--root', root], { env, logFile: supLog });
      injected.restarts++;
      continue;
    }
    const pid = kind === 'supervisor' ? sup.pid : componentPid(runId, kind);
    if (!pid || !killNow(pid)) {
      injected.missed++;
      continue;
    }
    injected[kind]++;
    kills++;
    if (kind === 'supervisor') {
      await sup.exited;
      // A logon task or service manager restarts it after a short, random delay.
      await sleep(rng.int(0, 800));
      sup = spawnCli(['start', '--root', root], { env, logFile: supLog });
      injected.restarts++;
    }
    if (kills % 20 === 0)
      log(
        `  kill campaign: ${kills}/${opts.kills} kills, ${feeder.submitted()}/${opts.tasks} tasks submitted, ${Math.round((Date.now() - t0) / 1000)} s`,
      );
  }
  while (feeder.left()) await feed(perRound * 4);
  const killPhaseSec = Math.round((Date.now() - t0) / 1000);

  // Let the tree finish: every submitted task terminal (done/failed).
  const settled = await waitUntil(
    async () => {
      if (!isAlive(sup.pid)) {
        sup = spawnCli(['start', '--root', root], { env, logFile: supLog });
        injected.restarts++;
      }
      let terminal = 0;
      for (const s of ['done', 'failed']) {
        const names = await fsp.readdir(path.join(root, '.tasks', s)).catch(() => []);
        terminal += names.filter((n) => n.endsWith('.json') && expected.has(n.slice(0, -5))).length;
      }
      return terminal >= expected.size;
    },
    180000,
    250,
  );

  const stop = await runCli(['stop', '--root', root, '--timeout', '30'], { env });
  await within(sup.exited, 35000);
  // Processes get a short moment to go after their supervisor; whatever is left then is an orphan.
  await waitUntil(() => markedProcesses(runId).length === 0, 5000);
  const orphans = markedProcesses(runId);
  for (const p of orphans) killNow(p.pid);

  const q = await checkQueue(root, expected);
  const left = await leftovers(root);
  const violations = [...q.violations];
  if (!settled) violations.push('not every task reached a terminal state within 180 s after the last kill');
  if (stop.code !== 0)
    violations.push(`headless stop exited ${stop.code}: ${stop.stderr.trim().slice(0, 300)}`);
  for (const p of orphans) violations.push(`orphan process ${p.pid} (ppid ${p.ppid}): ${p.cmd}`);
  if (left.inbox.length) violations.push(`inbox files never read: ${left.inbox.join(', ')}`);

  const rows = killRows(injected, opts.kills, expected.size, q, orphans.length, left.tmp.length);
  const findings = q.missingQueued.map((id) => `task ${id}: no task.queued in the ledger (F7)`);
  log(
    `  kill campaign: ${killPhaseSec} s of kills, ${Math.round((Date.now() - t0) / 1000)} s in all; root ${root}`,
  );
  if (violations.length === 0 && !opts.keep) await removeRoot(root);
  return { rows, violations, findings, root };
}

/** The campaign's table rows: what was injected and what the queue, ledger and process table show. */
function killRows(injected, wanted, submitted, q, orphans, tmpLeft) {
  const totalKills = injected.worker + injected.orchestrator + injected.supervisor;
  const rows = [
    [
      'kill',
      'kills (worker / orchestrator / supervisor)',
      `${totalKills} (${injected.worker} / ${injected.orchestrator} / ${injected.supervisor})`,
      totalKills >= wanted,
    ],
    ['kill', 'supervisor restarts (logon task)', injected.restarts, true],
    ['kill', 'tasks submitted', submitted, true],
    ['kill', 'tasks lost', q.counts.lost, q.counts.lost === 0],
    [
      'kill',
      'tasks not in exactly one terminal state',
      q.counts.notTerminal + q.counts.duplicated + q.counts.wrongEnd,
      q.counts.notTerminal + q.counts.duplicated + q.counts.wrongEnd === 0,
    ],
    ['kill', 'tasks left in processing', q.counts.inProcessing, q.counts.inProcessing === 0],
    ['kill', 'orphan processes', orphans, orphans === 0],
    ['kill', 'interrupted attempts (recovered)', q.interruptedAttempts, true],
    ['kill', 'tasks run twice (at-least-once, after an interruption)', q.duplicateRuns, true],
    [
      'kill',
      'tasks run twice without an interruption',
      q.unexplainedDuplicates,
      q.unexplainedDuplicates === 0,
    ],
    [
      'kill',
      'ledger lines / unparsable',
      `${q.ledger.records} / ${q.ledger.skipped}`,
      q.ledger.skipped === 0,
    ],
    ['kill', 'temp files left (*.tmp)', tmpLeft, true],
    [
      'kill',
      'tasks without task.queued in the ledger (FINDINGS F7)',
      q.missingQueued.length,
      q.missingQueued.length === 0 ? true : 'finding',
    ],
  ];
  return rows;
}

/** Task files fed to the inbox over the campaign; `expected` gets each task's intended end. */
function taskFeeder(rng, total, expected, root) {
  let nextTask = 1;
  let file = 0;

  const makeTasks = (n) => {
    const lines = [];
    for (let i = 0; i < n && nextTask <= total; i++, nextTask++) {
      const id = `k-${String(nextTask).padStart(4, '0')}`;
      const fail = rng.chance(0.05);
      const args = [String(rng.int(30, 1500)), fail ? '3' : '0'];
      if (rng.chance(0.15)) args.push('--grandchild');
      expected.set(id, fail ? 'failed' : 'done');
      lines.push({ id, tool: 'slow', args, priority: rng.int(-2, 2) });
    }
    return lines;
  };
  const feed = async (n) => {
    const lines = makeTasks(n);
    if (lines.length) await dropInbox(root, `batch-${String(file++).padStart(4, '0')}.jsonl`, lines);
  };

  return { feed, left: () => nextTask <= total, submitted: () => nextTask - 1 };
}
