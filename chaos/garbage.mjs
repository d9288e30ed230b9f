// Garbage in: one long-lived worker (`headless worker`) is fed fuzzed inbox files (random bytes,
// huge lines, deep JSON, unicode, wrong types, prototype keys, odd files) mixed with valid tasks,
// and the config loader is fed fuzzed config files. Every bad input must be refused with a reason,
// every valid task must run, and the worker must still be the same process at the end.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../packages/core/dist/config/load.js';
import { HeadlessError } from '../packages/core/dist/errors/headless-error.js';
import { layout } from '../packages/core/dist/paths.js';
import { FolderStore } from '../packages/core/dist/queue/folder-store.js';
import { checkQueue } from './lib/invariants.mjs';
import {
  chaosEnv,
  chaosTools,
  fastPolicies,
  makeRoot,
  removeRoot,
  runCli,
  spawnCli,
  waitUntil,
  within,
} from './lib/common.mjs';
import { isAlive, markedProcesses } from './lib/procs.mjs';

const MAX_LINE = 65536;

/** One garbage line (no raw newline, not blank) and the kind it is. */
function garbageLine(rng, n) {
  const id = `g-${n}`;
  const deep = (d, open = '[', close = ']') => open.repeat(d) + close.repeat(d);
  const kinds = [
    [
      'random-bytes',
      () => {
        const b = rng.bytes(rng.int(1, 3000));
        for (let i = 0; i < b.length; i++) if (b[i] === 0x0a || b[i] === 0x0d) b[i] = 0x41;
        b[0] = 0x7b; // never blank
        return b;
      },
    ],
    [
      'huge-line',
      () => `{"id":"${id}","tool":"slow","args":["${'x'.repeat(rng.int(MAX_LINE, MAX_LINE * 4))}"]}`,
    ],
    ['deep-json-args', () => `{"id":"${id}","tool":"slow","args":${deep(rng.int(2000, 20000))}}`],
    ['deep-json-env', () => `{"id":"${id}","tool":"slow","env":{"A":${deep(rng.int(2000, 20000))}}}`],
    [
      'deep-json-unknown-key',
      () =>
        `{"id":"${id}","tool":"slow","x":${deep(rng.int(2000, 20000), '{"a":', '}').replace(/\}+$/, (m) => m)}}`,
    ],
    ['deep-json-top', () => deep(rng.int(2000, 30000))],
    [
      'deep-object-id',
      () => `{"id":${deep(rng.int(2000, 20000), '{"a":', '}').slice(0, -1)}1}},"tool":"slow"}`,
    ],
    [
      'unicode-id',
      () =>
        `{"id":"${rng.pick(['tâche', '任务', 'ｔａｓｋ', 'a\u202eb', 'emoji-💥', 'ΑΒΓ'])}-${n}","tool":"slow","args":["5"]}`,
    ],
    [
      'wrong-type',
      () =>
        rng.pick([
          `{"id":${n},"tool":"slow"}`,
          `{"id":"${id}","tool":["slow"]}`,
          `{"id":"${id}","tool":"slow","args":{"0":"5"}}`,
          `{"id":"${id}","tool":"slow","args":[5]}`,
          `{"id":"${id}","tool":"slow","priority":"high"}`,
          `{"id":"${id}","tool":"slow","timeout_sec":1.5}`,
          `{"id":"${id}","tool":"slow","timeout_sec":-1}`,
          `{"id":"${id}","tool":"slow","max_attempts":1e9}`,
          `{"id":"${id}","tool":"slow","not_before":"yesterday"}`,
          `{"id":"${id}","tool":"slow","rerun":"yes"}`,
          `{"id":"${id}","tool":"slow","env":{"A":1}}`,
          `{"id":"${id}","tool":"slow","env":{"BAD NAME":"x"}}`,
          `{"id":null,"tool":null}`,
          `{"id":"${id}","tool":"slow","priority":1e309}`,
        ]),
    ],
    [
      'prototype-keys',
      () =>
        rng.pick([
          `{"id":"${id}","tool":"slow","__proto__":{"polluted":true}}`,
          `{"id":"${id}","tool":"__proto__"}`,
          `{"id":"${id}","tool":"constructor"}`,
          `{"id":"${id}","tool":"toString"}`,
          `{"id":"${id}","tool":"slow","constructor":{"prototype":{"polluted":true}}}`,
        ]),
    ],
    [
      'not-an-object',
      () => rng.pick(['null', 'true', '42', '"a string"', '[]', `[{"id":"${id}","tool":"slow"}]`, '1e309']),
    ],
    [
      'broken-json',
      () =>
        rng.pick([
          `{"id":"${id}","tool":"slow",}`,
          `{"id":"${id}", /* c */ "tool":"slow"}`,
          `{'id':'${id}','tool':'slow'}`,
          `{"id":"${id}","tool":"slow","args":[NaN]}`,
          `{"id":"${id}","tool":"slow"}}`,
          `{"id":"${id}\u0000","tool":"slow"}`,
          `{"id":"${id}","tool":"slow"} trailing`,
        ]),
    ],
    [
      'bad-id',
      () =>
        rng
          .pick([
            '../escape',
            '/abs',
            'a/b',
            'a\\\\b',
            '..',
            '.',
            'CON',
            'nul.txt',
            'COM1',
            '',
            'x'.repeat(129),
          ])
          .replace(/^/, `{"id":"`) + `","tool":"slow"}`,
    ],
    ['unknown-tool', () => `{"id":"${id}","tool":"rm -rf /"}`],
    [
      'repo-outside',
      () => `{"id":"${id}","tool":"slow","repo":"${rng.pick(['/', '..', '../..', '/etc', '/tmp'])}"}`,
    ],
  ];
  const [kind, make] = rng.pick(kinds);
  return { kind, bytes: Buffer.from(make()) };
}

/** A valid task with odd but legal content (unicode, metacharacters); `fail` ones exit 3. */
function validLine(rng, n, expected) {
  const id = `v-${n}`;
  const fail = rng.chance(0.05);
  const extra = rng.pick([
    'ünïcødé',
    '💥🔥',
    '\u202eRTL',
    '$(touch pwned)',
    '; rm -rf / #',
    '`id`',
    '"quoted" \'x\'',
    '\ud800',
    '%PATH%',
  ]);
  expected.set(id, fail ? 'failed' : 'done');
  const line = JSON.stringify({
    id,
    tool: 'slow',
    args: [String(rng.int(1, 30)), fail ? '3' : '0', extra],
    priority: rng.int(-5, 5),
  });
  // A BOM or CR now and then, as files from Windows tools carry them.
  return Buffer.from(`${rng.chance(0.05) ? '\uFEFF' : ''}${line}${rng.chance(0.2) ? '\r' : ''}`);
}

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
  let garbage = 0;
  let special = 0;
  let n = 0;
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
    [
      'garbage',
      'inbox files stuck (unreadable, retried)',
      stuckFiles + leftInInbox.length,
      stuckFiles + leftInInbox.length === 0,
    ],
    ['garbage', 'worker crashes', alive && exit?.code === 0 ? 0 : 1, alive && exit?.code === 0],
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
  if (violations.length === 0 && !keep) await removeRoot(root);
  else log(`  garbage: root kept at ${root}`);
  return { rows, violations, findings: cfg.findings };
}

function mutateJson(rng, value, depth = 0) {
  if (Array.isArray(value)) return value.map((v) => (rng.chance(0.1) ? mutateJson(rng, v, depth + 1) : v));
  if (value && typeof value === 'object') {
    const out = { ...value };
    const keys = Object.keys(out);
    if (keys.length && rng.chance(0.7)) {
      const k = rng.pick(keys);
      out[k] = rng.chance(0.5) ? mutateJson(rng, out[k], depth + 1) : randomValue(rng);
    } else if (rng.chance(0.5))
      out[rng.pick(['unknown', '__proto__', 'constructor', 'x y'])] = randomValue(rng);
    return out;
  }
  return randomValue(rng);
}

function randomValue(rng) {
  const deep = rng.int(1000, 20000);
  return rng.pick([
    null,
    true,
    -1,
    0,
    1.5,
    1e308,
    2 ** 53 + 1,
    '',
    'x'.repeat(10000),
    '20q',
    '💥',
    [],
    {},
    ['{prompt}'],
    [[]],
    JSON.parse('['.repeat(deep) + ']'.repeat(deep)),
  ]);
}

function stringifySafe(v) {
  try {
    return JSON.stringify(v, null, 1);
  } catch {
    return '{"tools":' + '['.repeat(5000) + ']'.repeat(5000) + '}';
  }
}

/** Fuzzed config/tools.json and config/policies.json: refused with a ConfigError (exit 2), never a crash. */
async function configFuzz(rng, total, env, log) {
  const root = await makeRoot('config');
  const l = layout(root);
  const good = {
    tools: fs.readFileSync(l.toolsConfig, 'utf8'),
    policies: fs.readFileSync(l.policiesConfig, 'utf8'),
  };
  const violations = [];
  let refused = 0;
  let accepted = 0;
  let crashes = 0;
  let deepCrashes = 0;
  const findings = [];
  const viaCli = Math.min(8, total);
  for (let i = 0; i < total; i++) {
    const which = rng.chance(0.5) ? 'tools' : 'policies';
    let text = good[which];
    const how = rng.int(0, 5);
    if (how === 0) text = text.slice(0, rng.int(0, text.length - 1));
    else if (how === 1) {
      const b = Buffer.from(text);
      for (let k = rng.int(1, 8); k > 0; k--) b[rng.int(0, b.length - 1)] = rng.int(0, 255);
      text = b.toString('latin1');
    } else if (how === 2) text = rng.bytes(rng.int(0, 4000)).toString('latin1');
    else text = stringifySafe(mutateJson(rng, JSON.parse(good[which])));
    fs.writeFileSync(which === 'tools' ? l.toolsConfig : l.policiesConfig, text);
    try {
      if (i < viaCli) {
        const r = await runCli(['run', '--root', root, '--quiet'], { env, timeoutMs: 60000 });
        if (r.code === 2 && r.stderr.trim().length > 0 && !/\n\s+at /.test(r.stderr)) refused++;
        else if (r.code === 0) accepted++;
        else if (/Maximum call stack/.test(r.stderr)) {
          deepCrashes++;
          findings.push(
            `config ${which} #${i}: headless run exits 1 on a deeply nested value (FINDINGS.md F2)`,
          );
        } else {
          crashes++;
          violations.push(
            `config ${which} #${i} (${how}): headless run exit ${r.code} signal ${r.signal}: ${r.stderr.slice(0, 300)}`,
          );
        }
      } else {
        await loadConfig(l);
        accepted++;
      }
    } catch (err) {
      if (err instanceof HeadlessError && err.exitCode === 2 && err.message.length > 10) refused++;
      else if (err instanceof RangeError && /call stack/.test(err.message)) {
        // Known: a config value nested thousands of levels deep overflows the error message's quoting.
        deepCrashes++;
        findings.push(`config ${which} #${i}: RangeError on a deeply nested value (FINDINGS.md F2)`);
      } else {
        crashes++;
        violations.push(
          `config ${which} #${i} (${how}): ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`.slice(
            0,
            300,
          ),
        );
      }
    }
    fs.writeFileSync(which === 'tools' ? l.toolsConfig : l.policiesConfig, good[which]);
  }
  log(
    `  config fuzz: ${total} files, ${refused} refused, ${accepted} accepted, ${crashes} crashes, ${deepCrashes} known deep-nesting crashes`,
  );
  if (violations.length === 0) await removeRoot(root);
  return { total, refused, accepted, crashes, deepCrashes, violations, findings };
}
