// Garbage in: one long-lived worker (`headless worker`) is fed fuzzed inbox files (random bytes,
// huge lines, deep JSON, unicode, wrong types, prototype keys, odd files) mixed with valid tasks,
// and the config loader is fed fuzzed config files. Every bad input must be refused with a reason,
// every valid task must run, and the worker must still be the same process at the end.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { FolderStore } from '../packages/core/dist/queue/folder-store.js';
import { checkQueue } from './lib/invariants.mjs';
import {
  chaosEnv,
  chaosTools,
  fastPolicies,
  makeRoot,
  removeRoot,
  spawnCli,
  waitUntil,
  within,
} from './lib/common.mjs';
import { isAlive, markedProcesses } from './lib/procs.mjs';

import { configFuzz } from './config-fuzz.mjs';
import { garbageLine, MAX_LINE, validLine } from './lib/garbage-input.mjs';

export async function garbageCampaign({ rng, files, configs, log, keep }) {
  const runId = `garbage-${process.pid}-${Date.now()}`;
  const root = await makeRoot('garbage', {
    tools: chaosTools(),
    policies: fastPolicies({
      worker: { concurrency: 4, settleMs: 50, rescanIntervalMs: 300, maxLineBytes: MAX_LINE },
    }),
  });
  const env = chaosEnv(runId, root);
  const violations = [];
  const expected = new Map();
  const kinds = new Map();
  const inbox = path.join(root, '.tasks', 'inbox');
  const outside = path.join(root, 'outside');
  await fsp.mkdir(outside, { recursive: true });
  const outsideFile = path.join(outside, 'tasks.jsonl');
  await fsp.writeFile(outsideFile, `${JSON.stringify({ id: 'via-symlink', tool: 'slow', args: ['1'] })}\n`);

  const worker = spawnCli(['worker', '--root', root], {
    env,
    logFile: path.join(root, 'worker-console.log'),
  });
  await waitUntil(() => fs.existsSync(path.join(root, '.tasks', 'run', 'worker.json')), 15000);

  const { garbage, special } = await writeInboxFiles({
    rng,
    files,
    inbox,
    outsideFile,
    expected,
    kinds,
    log,
  });

  // Everything read (files moved out of the inbox) and every valid task finished.
  const drained = await waitUntil(
    async () => {
      const left = (await fsp.readdir(inbox)).filter((x) => x.endsWith('.jsonl') && !x.startsWith('.'));
      if (left.length) return false;
      let terminal = 0;
      for (const s of ['done', 'failed'])
        terminal += (await fsp.readdir(path.join(root, '.tasks', s))).filter((x) =>
          expected.has(x.slice(0, -5)),
        ).length;
      return terminal >= expected.size;
    },
    240000,
    250,
  );
  const alive = isAlive(worker.pid);
  await fsp.writeFile(path.join(root, 'STOP.HEADLESS'), '');
  const exit = await within(worker.exited, 30000);

  const store = new FolderStore(path.join(root, '.tasks'), { fsync: false });
  const rejected = await store.listRejected();
  const noReason = rejected.filter((r) => !r.reason || r.reason.length < 5);
  const q = await checkQueue(root, expected);
  const workerLog = (await fsp.readdir(path.join(root, 'logs')))
    .filter((x) => x.startsWith('worker'))
    .map((x) => fs.readFileSync(path.join(root, 'logs', x), 'utf8'))
    .join('');
  const stuckFiles = (workerLog.match(/could not read inbox file/g) ?? []).length;
  const leftInInbox = (await fsp.readdir(inbox)).filter((x) => x.endsWith('.jsonl') && !x.startsWith('.'));
  const symlinkTask = await store.get('via-symlink');
  const outsideIntact = (await fsp.readFile(outsideFile, 'utf8')).includes('via-symlink');

  if (!drained) violations.push(`not drained within 240 s: inbox ${leftInInbox.length} file(s) left`);
  if (!alive) violations.push('the worker process died during the campaign');
  if (!exit || exit.code !== 0) violations.push(`the worker did not stop cleanly: ${JSON.stringify(exit)}`);
  if (rejected.length !== garbage + special)
    violations.push(
      `${rejected.length} rejections recorded for ${garbage} garbage lines + ${special} odd files`,
    );
  if (noReason.length) violations.push(`${noReason.length} rejection(s) without a reason`);
  if (stuckFiles)
    violations.push(`${stuckFiles} time(s) an inbox file could not be read (it stays and is retried)`);
  for (const f of leftInInbox) violations.push(`inbox file never consumed: ${f}`);
  if (symlinkTask) violations.push('a task was queued from a symlinked inbox file');
  if (!outsideIntact) violations.push('the target of a symlinked inbox file was moved or changed');
  violations.push(...q.violations.slice(0, 20));
  for (const p of markedProcesses(runId)) {
    violations.push(`leftover process ${p.pid}: ${p.cmd}`);
    process.kill(p.pid, 'SIGKILL');
  }

  log(`  garbage kinds: ${[...kinds].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  // Config files: in process for volume (the loader the worker uses), a sample through the CLI.
  const cfg = await configFuzz(rng, configs, env, log);
  violations.push(...cfg.violations);

  const rows = garbageRows({
    files,
    kinds,
    garbage,
    special,
    rejected,
    noReason,
    stuck: stuckFiles + leftInInbox.length,
    crashed: !(alive && exit?.code === 0),
    expected,
    q,
    cfg,
  });
  if (violations.length === 0 && !keep) await removeRoot(root);
  else log(`  garbage: root kept at ${root}`);
  return { rows, violations, findings: cfg.findings };
}

/**
 * Writes `files` inbox files: odd ones (empty, a directory, a fifo, a symlink) and JSONL files of
 * garbage lines mixed with valid tasks. Counts kinds; returns how many refusals to expect.
 */
async function writeInboxFiles({ rng, files, inbox, outsideFile, expected, kinds, log }) {
  let garbage = 0;
  let special = 0;
  let n = 0;
  for (let f = 0; f < files; f++) {
    const name = rng.pick([
      `f-${f}.jsonl`,
      `f ${f} spaced.jsonl`,
      `f-${f}-ünï-💥.jsonl`,
      `f-${f};$(x)&.jsonl`,
      `f-${f}-${'n'.repeat(150)}.jsonl`,
    ]);
    const file = path.join(inbox, name);
    const roll = rng.next();
    if (roll < 0.04) {
      await fsp.writeFile(`${file}.tmp`, '');
      await fsp.rename(`${file}.tmp`, file);
      continue;
    }
    if (roll < 0.06) {
      await fsp.mkdir(file);
      special++;
      kinds.set('directory', (kinds.get('directory') ?? 0) + 1);
      continue;
    }
    if (roll < 0.08) {
      execFileSync('mkfifo', [file]);
      special++;
      kinds.set('fifo', (kinds.get('fifo') ?? 0) + 1);
      continue;
    }
    if (roll < 0.1) {
      await fsp.symlink(rng.chance(0.5) ? outsideFile : '/dev/zero', file);
      special++;
      kinds.set('symlink', (kinds.get('symlink') ?? 0) + 1);
      continue;
    }
    const parts = [];
    const lines = rng.int(1, 12);
    for (let l = 0; l < lines; l++) {
      n++;
      if (rng.chance(0.55)) {
        const g = garbageLine(rng, n);
        garbage++;
        kinds.set(g.kind, (kinds.get(g.kind) ?? 0) + 1);
        parts.push(g.bytes);
      } else parts.push(validLine(rng, n, expected));
    }
    const body = Buffer.concat(parts.flatMap((p) => [p, Buffer.from('\n')]));
    await fsp.writeFile(`${file}.tmp`, body);
    await fsp.rename(`${file}.tmp`, file);
    if (f % 50 === 49) log(`  garbage: ${f + 1}/${files} files`);
  }

  return { garbage, special };
}

/** The campaign's table rows. */
function garbageRows({
  files,
  kinds,
  garbage,
  special,
  rejected,
  noReason,
  stuck,
  crashed,
  expected,
  q,
  cfg,
}) {
  const rows = [
    [
      'garbage',
      'inbox files (odd files: dir / fifo / symlink)',
      `${files} (${kinds.get('directory') ?? 0} / ${kinds.get('fifo') ?? 0} / ${kinds.get('symlink') ?? 0})`,
      true,
    ],
    [
      'garbage',
      'garbage lines (kinds)',
      `${garbage} (${[...kinds.keys()].filter((k) => !['directory', 'fifo', 'symlink'].includes(k)).length})`,
      true,
    ],
    [
      'garbage',
      'refused with a reason / expected',
      `${rejected.length - noReason.length} / ${garbage + special}`,
      rejected.length === garbage + special && noReason.length === 0,
    ],
    ['garbage', 'inbox files stuck (unreadable, retried)', stuck, stuck === 0],
    ['garbage', 'worker crashes', crashed ? 1 : 0, !crashed],
    [
      'garbage',
      'valid tasks / lost or not terminal',
      `${expected.size} / ${q.counts.lost + q.counts.notTerminal + q.counts.wrongEnd}`,
      q.counts.lost + q.counts.notTerminal + q.counts.wrongEnd === 0,
    ],
    [
      'garbage',
      'config files fuzzed / refused with a reason / accepted / crashes',
      `${cfg.total} / ${cfg.refused} / ${cfg.accepted} / ${cfg.crashes}`,
      cfg.crashes === 0,
    ],
    [
      'garbage',
      'config files nested thousands deep: crash instead of a ConfigError',
      cfg.deepCrashes,
      cfg.deepCrashes === 0 ? true : 'finding',
    ],
  ];
  return rows;
}
