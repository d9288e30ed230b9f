// Torn writes: a crash (or power cut) mid-write leaves a file cut at some byte. We cut the ledger,
// a queued or processing task record, an inbox file and the run-state files at random offsets and
// start the worker again (`headless run`): it must not crash, every task written before the tear
// must still run (or be accounted for), and the damage must be reported.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../packages/core/dist/config/load.js';
import { layout } from '../packages/core/dist/paths.js';
import { FolderStore } from '../packages/core/dist/queue/folder-store.js';
import { Ledger, readLedger } from '../packages/core/dist/ledger/ledger.js';
import { resolveAllowedRoots } from '../packages/core/dist/task/validate.js';
import { ingestFile } from '../packages/queue-worker/dist/inbox/ingest.js';
import { Transitions } from '../packages/core/dist/queue/transitions.js';
import { checkQueue } from './lib/invariants.mjs';
import {
  chaosEnv,
  dropInbox,
  makeRoot,
  removeRoot,
  runCli,
  spawnCli,
  waitUntil,
  within,
} from './lib/common.mjs';
import { markedProcesses } from './lib/procs.mjs';

const task = (id) => ({ id, tool: 'slow', args: ['5'] });

function parsesAsJson(text) {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Cuts a file at `offset` bytes. */
async function tear(file, offset) {
  await fsp.truncate(file, offset);
}

/** `headless run` on the root; a crash is a non-zero exit, a signal, a timeout or a stack trace. */
async function runOnce(root, env) {
  const r = await runCli(['run', '--root', root, '--quiet'], { env, timeoutMs: 60000 });
  const crashed = r.code !== 0 || r.signal !== null || /\n\s+at /.test(r.stderr);
  return { ...r, crashed };
}

async function logsText(root, ...prefixes) {
  const names = await fsp.readdir(path.join(root, 'logs')).catch(() => []);
  let text = '';
  for (const n of names)
    if (prefixes.some((p) => n.startsWith(p)))
      text += await fsp.readFile(path.join(root, 'logs', n), 'utf8').catch(() => '');
  return text;
}

const workerLogText = (root) => logsText(root, 'worker', 'headless');

/** Queues tasks the way the worker does (ingest an inbox file) without running them. */
async function ingestOnly(root, name, lines) {
  const paths = layout(root);
  const { tools, policies } = await loadConfig(paths);
  const store = new FolderStore(paths.tasksDir, { fsync: false });
  await store.init();
  const file = await dropInbox(root, name, lines);
  const ledger = new Ledger(paths.ledger, { fsync: false });
  const transitions = new Transitions(store, ledger);
  await ingestFile(file, {
    transitions,
    ledger,
    validation: {
      root: paths.root,
      tools: tools.tools,
      allowedRoots: resolveAllowedRoots(paths.root, policies.worker.allowedRepoRoots),
      maxLineBytes: policies.worker.maxLineBytes,
    },
    ingestedDir: path.join(paths.tasksDir, 'ingested'),
    now: () => new Date(),
  });
  // The ledger keeps its file open between appends (a later append through `transitions` reopens it).
  await ledger.close();
  return { store, transitions, ledger };
}

/** A ledger cut mid-line: lines before the tear stay, the torn one is skipped and reported. */
async function tornLedger({ root, env, rng, ids, expected, t, fail }) {
  let reported;
  const first = ids(rng.int(3, 8));
  await dropInbox(root, 'a.jsonl', first.map(task));
  for (const id of first) expected.set(id, 'done');
  const r1 = await runOnce(root, env);
  if (r1.crashed) (t.crashes++, fail(`first run: exit ${r1.code} ${r1.stderr.slice(0, 300)}`));
  const ledgerFile = path.join(root, 'logs', 'ledger.jsonl');
  const bytes = await fsp.readFile(ledgerFile);
  const offset = rng.int(1, bytes.length - 1);
  const before = bytes.subarray(0, offset).toString('utf8');
  const whole = before
    .slice(0, before.lastIndexOf('\n') + 1)
    .split('\n')
    .filter(Boolean);
  await tear(ledgerFile, offset);
  const second = ids(rng.int(2, 5));
  await dropInbox(root, 'b.jsonl', second.map(task));
  for (const id of second) expected.set(id, 'done');
  const r2 = await runOnce(root, env);
  if (r2.crashed) (t.crashes++, fail(`run after the tear: exit ${r2.code} ${r2.stderr.slice(0, 300)}`));
  const after = await readLedger(ledgerFile);
  const text = (await fsp.readFile(ledgerFile, 'utf8')).split('\n');
  const keptWhole = whole.every((l, i) => text[i] === l);
  if (!keptWhole) (t.lost++, fail('lines written before the tear changed or vanished'));
  // A cut just before a newline leaves a whole JSON line without its end: readers take it as it is.
  const tail = before.slice(before.lastIndexOf('\n') + 1);
  const tornPartial = tail === '' || parsesAsJson(tail) ? 0 : 1;
  if (after.skipped.length !== tornPartial)
    fail(`${after.skipped.length} unparsable ledger lines, expected ${tornPartial}`);
  reported = tornPartial === 0 || /torn line/.test(await workerLogText(root));
  // Readers that show the ledger must cope too.
  const shown = await runCli(['ledger', '--root', root], { env, timeoutMs: 30000 });
  if (shown.code !== 0) fail(`headless ledger exited ${shown.code}: ${shown.stderr.slice(0, 200)}`);
  // Only the new tasks' records are checked: the torn line may have held an old task's event.
  const q = await checkQueue(root, new Map(second.map((id) => [id, 'done'])));
  if (q.counts.lost || q.counts.notTerminal) (t.lost++, fail(q.violations.slice(0, 3).join('; ')));
  expected.clear();
  return reported;
}

/** A queued or processing record cut: recovery reports it and the task still runs. */
async function tornRecord({ kind, root, env, rng, ids, expected, t, fail }) {
  let reported;
  const all = ids(rng.int(3, 8));
  const { transitions, ledger } = await ingestOnly(root, 'a.jsonl', all.map(task));
  for (const id of all) expected.set(id, 'done');
  const victim = rng.pick(all);
  let state = 'queued';
  if (kind === 'processing-record') {
    // A worker that claimed it and died: a pid that is not alive.
    await transitions.claim(victim, { workerPid: 2 ** 22 - 3 });
    await ledger.close();
    state = 'processing';
  }
  const file = path.join(root, '.tasks', state, `${victim}.json`);
  const size = (await fsp.stat(file)).size;
  await tear(file, rng.int(0, size - 2));
  const r = await runOnce(root, env);
  if (r.crashed)
    (t.crashes++,
      fail(
        `run after tearing ${state}/${victim}.json: ${r.timedOut ? 'did not finish within 60 s' : `exit ${r.code}`} ${r.stderr.slice(0, 300)}`,
      ));
  const logText = await workerLogText(root);
  reported = logText.includes(victim) && /damaged|unreadable|torn/i.test(logText);
  const q = await checkQueue(root, expected);
  t.damaged += q.damaged;
  if (q.counts.lost || q.counts.notTerminal || q.damaged) {
    t.lost += q.counts.lost + q.counts.notTerminal;
    fail(q.violations.slice(0, 3).join('; '));
  }
  return reported;
}

/** An inbox file cut mid-write: complete lines run, the cut one is queued or rejected with a reason. */
async function tornInbox({ root, env, rng, ids, expected, t, fail }) {
  let reported;
  const all = ids(rng.int(4, 12));
  const text = all.map((id) => JSON.stringify(task(id))).join('\n') + '\n';
  const offset = rng.int(1, Buffer.byteLength(text) - 1);
  const cut = text.slice(0, offset);
  // Written in place, not renamed: the writer died mid-write and left the cut file.
  await fsp.writeFile(path.join(root, '.tasks', 'inbox', 'cut.jsonl'), cut);
  const completeLines = cut
    .slice(0, cut.lastIndexOf('\n') + 1)
    .split('\n')
    .filter(Boolean);
  for (const l of completeLines) expected.set(JSON.parse(l).id, 'done');
  const r = await runOnce(root, env);
  if (r.crashed) (t.crashes++, fail(`exit ${r.code} ${r.stderr.slice(0, 300)}`));
  const partial = cut.slice(cut.lastIndexOf('\n') + 1);
  if (partial) {
    const store = new FolderStore(path.join(root, '.tasks'), { fsync: false });
    const rejected = await store.listRejected();
    let parsesAsTask = false;
    try {
      parsesAsTask = typeof JSON.parse(partial).id === 'string';
    } catch {
      // a cut line
    }
    if (parsesAsTask) {
      expected.set(JSON.parse(partial).id, 'done');
      reported = true;
    } else {
      reported = rejected.some((x) => x.line === completeLines.length + 1 && x.reason.length > 0);
      if (!reported) fail(`the cut last line was neither queued nor rejected with a reason`);
    }
  } else reported = true;
  const q = await checkQueue(root, expected);
  if (q.counts.lost || q.counts.notTerminal) (t.lost++, fail(q.violations.slice(0, 3).join('; ')));
  const left = await fsp.readdir(path.join(root, '.tasks', 'inbox'));
  if (left.some((x) => x.endsWith('.jsonl'))) fail(`inbox still holds ${left.join(', ')}`);
  return reported;
}

/** Torn locks and state files of a killed tree: the next run and start cope and say so. */
async function tornRunFiles({ root, env, rng, ids, expected, t, fail, runId }) {
  let reported;
  const first = ids(3);
  await dropInbox(root, 'a.jsonl', first.map(task));
  for (const id of first) expected.set(id, 'done');
  // A supervisor that is killed leaves its lock and state file; tear those and the worker's.
  const sup = spawnCli(['start', '--root', root], { env, logFile: path.join(root, 'sup.log') });
  await waitUntil(async () => (await fsp.readdir(path.join(root, '.tasks', 'done'))).length >= 3, 20000);
  process.kill(sup.pid, 'SIGKILL');
  await within(sup.exited, 5000);
  await waitUntil(() => markedProcesses(runId).length === 0, 5000);
  const runDir = path.join(root, '.tasks', 'run');
  await fsp.writeFile(path.join(runDir, 'breakers.json'), '{"slow":{"state":"open","fail');
  await fsp.writeFile(path.join(runDir, 'worker.lock'), '{"pid":');
  for (const name of ['supervisor.lock', 'supervisor.json', 'worker.json']) {
    const f = path.join(runDir, name);
    const size = (await fsp.stat(f).catch(() => ({ size: 0 }))).size;
    if (size > 1) await tear(f, rng.int(1, size - 1));
  }
  const second = ids(3);
  await dropInbox(root, 'b.jsonl', second.map(task));
  for (const id of second) expected.set(id, 'done');
  const r = await runOnce(root, env);
  if (r.crashed) (t.crashes++, fail(`headless run: exit ${r.code} ${r.stderr.slice(0, 300)}`));
  const sup2 = spawnCli(['start', '--root', root], { env, logFile: path.join(root, 'sup.log') });
  const up = await waitUntil(
    // A torn lock is taken over once it is older than the lock grace (10 s): its writer may be slow.
    async () => /took over a stale (supervisor )?lock/.test(await logsText(root, 'supervisor')),
    25000,
  );
  const st = await runCli(['status', '--root', root], { env, timeoutMs: 20000 });
  if (st.code !== 0 || /\n\s+at /.test(st.stderr))
    fail(`headless status after the tear: exit ${st.code} ${st.stderr.slice(0, 200)}`);
  await runCli(['stop', '--root', root, '--timeout', '20'], { env });
  const exited = await within(sup2.exited, 25000);
  if (!exited) {
    t.crashes++;
    fail('the supervisor did not start or stop over a torn lock');
    process.kill(sup2.pid, 'SIGKILL');
  }
  reported = Boolean(up);
  const q = await checkQueue(root, expected);
  if (q.counts.lost || q.counts.notTerminal) (t.lost++, fail(q.violations.slice(0, 3).join('; ')));
  return reported;
}

const kinds = ['ledger', 'queued-record', 'processing-record', 'inbox-file', 'run-files'];

export async function tornCampaign({ rng, rounds, log, keep }) {
  const violations = [];
  const tally = Object.fromEntries(
    kinds.map((k) => [k, { rounds: 0, crashes: 0, lost: 0, reported: 0, damaged: 0 }]),
  );
  let n = 0;
  for (let round = 0; round < rounds; round++) {
    const kind = kinds[round % kinds.length];
    const t = tally[kind];
    t.rounds++;
    const runId = `torn-${process.pid}-${round}`;
    const root = await makeRoot(`torn-${kind}`);
    const env = chaosEnv(runId, root);
    const expected = new Map();
    const ids = (k) => Array.from({ length: k }, () => `t-${String(++n).padStart(5, '0')}`);
    const fail = (msg) => violations.push(`${kind} round ${round}: ${msg}`);
    let reported;
    try {
      const c = { kind, root, env, rng, ids, expected, t, fail, runId };
      const byKind = {
        ledger: tornLedger,
        'queued-record': tornRecord,
        'processing-record': tornRecord,
        'inbox-file': tornInbox,
        'run-files': tornRunFiles,
      };
      reported = await byKind[kind](c);
      if (reported) t.reported++;
      else fail('the damage was not reported');
    } catch (err) {
      t.crashes++;
      fail(`campaign error: ${err instanceof Error ? err.stack : String(err)}`);
    } finally {
      for (const p of markedProcesses(runId)) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      if (!keep && violations.length === 0) await removeRoot(root);
      else if (keep || violations.some((v) => v.startsWith(`${kind} round ${round}:`)))
        log(`  torn ${kind} round ${round}: root kept at ${root}`);
    }
  }
  const rows = [];
  for (const k of kinds) {
    const t = tally[k];
    if (!t.rounds) continue;
    rows.push([
      'torn',
      `${k}: rounds / worker crashes / valid tasks lost / damage reported`,
      `${t.rounds} / ${t.crashes} / ${t.lost} / ${t.reported}`,
      t.crashes === 0 && t.lost === 0 && t.reported === t.rounds,
    ]);
  }
  return { rows, violations };
}
