import { execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { summarize } from './lib/stats.mjs';
import {
  cliBin,
  dropFile,
  makeRoot,
  now,
  paths,
  removeRoot,
  repoDir,
  startTree,
  stopTree,
  waitFor,
} from './lib/tree.mjs';

/**
 * Scale. Ingest: one 20,000-line JSONL file dropped into a running tree, from the rename until the
 * file has been moved to .tasks/ingested with all 20,000 tasks in queued/ (tasks carry a not_before
 * far ahead, so nothing runs). Baseline: a plain loop parsing the same file and writing one JSON
 * file per task (16 at once, no fsync). Status: `headless status --json` on a root whose ledger has
 * 1,000,000 lines; baseline the same command on a root with an empty ledger.
 */

const INGEST = 20_000;

/**
 * Queued tasks as the store counts them: a big batch is one segment file in .tasks/segments until
 * its tasks are first claimed, so the files in queued/ alone would miss them.
 */
async function queuedCount(root) {
  const store = path.join(repoDir, 'packages', 'core', 'dist', 'queue', 'folder-store.js');
  const { FolderStore } = await import(pathToFileURL(store).href);
  return (await new FolderStore(path.join(root, '.tasks'), { fsync: false }).ids('queued')).length;
}
const LEDGER_LINES = 1_000_000;
const FAR = '2100-01-01T00:00:00Z';

export async function ingestSample(run, log) {
  const root = await makeRoot('ingest');
  const tree = await startTree(root);
  try {
    const lines = Array.from({ length: INGEST }, (_, i) => ({
      id: `i${run}-${i}`,
      tool: 'true',
      not_before: FAR,
    }));
    const inboxFile = path.join(paths(root).inbox, `ingest-${run}.jsonl`);
    const t0 = dropFile(root, `ingest-${run}`, lines);
    await waitFor('the ingest of 20,000 tasks', () => !fs.existsSync(inboxFile), {
      timeoutMs: 300_000,
      intervalMs: 20,
    });
    const ms = now() - t0;
    const queued = await queuedCount(root);
    if (queued !== INGEST)
      throw new Error(`bench: ${queued} of ${INGEST} tasks queued after ingest; see ${root}`);
    const rate = INGEST / (ms / 1000);
    log(`  ingest run ${run + 1}: ${(ms / 1000).toFixed(2)} s, ${rate.toFixed(0)} tasks/s`);
    return rate;
  } finally {
    await stopTree(tree, { timeoutMs: 60_000 });
    await removeRoot(root);
  }
}

export async function plainIngest(run) {
  const root = await makeRoot('ingest-plain');
  try {
    const src = path.join(root, 'in.jsonl');
    const lines = Array.from({ length: INGEST }, (_, i) =>
      JSON.stringify({ id: `i${run}-${i}`, tool: 'true', not_before: FAR }),
    );
    await fsp.writeFile(src, `${lines.join('\n')}\n`);
    const out = path.join(root, 'queued');
    await fsp.mkdir(out);
    const t0 = now();
    const specs = (await fsp.readFile(src, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < specs.length) {
          const spec = specs[next++];
          await fsp.writeFile(
            path.join(out, `${spec.id}.json`),
            JSON.stringify({ id: spec.id, spec, state: 'queued' }),
          );
        }
      }),
    );
    return INGEST / ((now() - t0) / 1000);
  } finally {
    await removeRoot(root);
  }
}

function ledgerLine(i, t0) {
  const task = `t${Math.floor(i / 4)}`;
  const ts = new Date(t0 + i * 10).toISOString();
  switch (i % 4) {
    case 0:
      return { v: 1, ts, event: 'task.queued', task, tool: 'git', repo: '.', file: 'batch.jsonl', line: i };
    case 1:
      return {
        v: 1,
        ts,
        event: 'attempt.start',
        task,
        attempt: 1,
        tool: 'git',
        repo: '/work/repo',
        workerPid: 4242,
      };
    case 2:
      return {
        v: 1,
        ts,
        event: 'attempt.end',
        task,
        attempt: 1,
        tool: 'git',
        repo: '/work/repo',
        pid: 5151,
        exitCode: 0,
        signal: null,
        durationMs: 12,
        outcome: 'success',
        reason: 'exit 0',
      };
    default:
      return { v: 1, ts, event: 'task.done', task, attempt: 1 };
  }
}

async function writeLedger(file, n) {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const fh = await fsp.open(file, 'w');
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  try {
    const CHUNK = 20_000;
    for (let i = 0; i < n; i += CHUNK) {
      let s = '';
      for (let j = i; j < Math.min(n, i + CHUNK); j++) s += `${JSON.stringify(ledgerLine(j, t0))}\n`;
      await fh.write(s);
    }
  } finally {
    await fh.close();
  }
}

function timeNode(args, parse = true) {
  return new Promise((resolve, reject) => {
    const t0 = now();
    execFile(process.execPath, args, { maxBuffer: 1 << 26 }, (err, stdout) => {
      if (err) return reject(err);
      if (parse) JSON.parse(stdout);
      resolve(now() - t0);
    });
  });
}

const timeStatus = (root) => timeNode([cliBin, 'status', '--json', '--root', root]);

async function statusFigure(quick, log) {
  const big = await makeRoot('status-big');
  const empty = await makeRoot('status-empty');
  try {
    await writeLedger(paths(big).ledger, LEDGER_LINES);
    await writeLedger(paths(empty).ledger, 0);
    const size = fs.statSync(paths(big).ledger).size;
    log(`  ledger: ${LEDGER_LINES} lines, ${(size / 2 ** 20).toFixed(0)} MiB`);
    const n = quick ? 3 : 5;
    const bigT = [];
    const emptyT = [];
    const floorT = [];
    await timeStatus(big); // one warm-up each: the page cache and node's compile cache, not the ledger
    await timeStatus(empty);
    for (let i = 0; i < n; i++) {
      emptyT.push(await timeStatus(empty));
      bigT.push(await timeStatus(big));
      floorT.push(await timeNode(['-e', '0'], false));
    }
    const floor = summarize(floorT);
    const v = summarize(bigT);
    const b = summarize(emptyT);
    log(
      `  status: ${v.median.toFixed(0)} ms with ${LEDGER_LINES} ledger lines, ${b.median.toFixed(0)} ms with none`,
    );
    return {
      key: 'scale.status',
      label: 'headless status --json, 1,000,000-line ledger',
      unit: 'ms',
      value: v,
      baseline: { label: 'same, empty ledger', value: b },
      ratio: summarize([v.median / b.median]),
      target: { text: '< 150 ms', pass: v.median < 150 },
      floor: floor,
      note: `status reads no ledger (same time with an empty one); a bare \`node -e 0\` takes ${floor.median.toFixed(0)} ms here`,
    };
  } finally {
    await removeRoot(big);
    await removeRoot(empty);
  }
}

export async function measure({ quick, log, more }) {
  const runs = quick ? 1 : 3;
  const rates = [];
  const base = [];
  for (let run = 0; run < runs && more(run); run++) {
    base.push(await plainIngest(run));
    log(`  plain ingest run ${run + 1}: ${base[run].toFixed(0)} tasks/s`);
    rates.push(await ingestSample(run, log));
  }
  const v = summarize(rates);
  const b = summarize(base);
  return [
    {
      key: 'scale.ingest',
      label: `ingest rate (${INGEST.toLocaleString('en')} tasks, one file)`,
      unit: 'tasks/s',
      value: v,
      baseline: { label: 'plain parse + write, no fsync', value: b },
      ratio: summarize([v.median / b.median]),
      target: { text: '≥ 5,000 tasks/s', pass: v.median >= 5000 },
    },
    await statusFigure(quick, log),
  ];
}
