#!/usr/bin/env node
// `npm run chaos`: the chaos and hostile-input campaign against the built packages.
//   node chaos/run.mjs [--short] [--seed N] [--kills N] [--tasks N] [--only kill,torn,garbage,faults]
//                      [--json FILE] [--keep]
// Prints a table of what was injected and what was found; exits 1 when an invariant is violated.
// The short profile runs inside `npm test` (packages/queue-worker/src/chaos.short.test.ts).
import fs from 'node:fs';
import { makeRng } from './lib/common.mjs';
import { hasProcfs } from './lib/procs.mjs';

function parseArgs(argv) {
  const o = { short: false, seed: Date.now() % 1000000, only: undefined, json: undefined, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--short') o.short = true;
    else if (a === '--seed') o.seed = Number(val());
    else if (a === '--kills') o.kills = Number(val());
    else if (a === '--tasks') o.tasks = Number(val());
    else if (a === '--only') o.only = val().split(',');
    else if (a === '--json') o.json = val();
    else if (a === '--keep') o.keep = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'usage: node chaos/run.mjs [--short] [--seed N] [--kills N] [--tasks N] [--only kill,torn,garbage,faults,security] [--json FILE] [--keep]\n',
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

export function formatTable(rows) {
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

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!hasProcfs) {
    process.stderr.write('chaos: needs Linux (/proc) to find leftover processes; nothing run\n');
    process.exit(0);
  }
  const log = (s) => process.stderr.write(`${s}\n`);
  const profile = o.short
    ? { kills: 8, tasks: 24, gapMs: [0, 1200], garbageFiles: 25, configFuzz: 20, tornRounds: 5, floodMb: 20 }
    : {
        kills: 220,
        tasks: 400,
        gapMs: [0, 1500],
        garbageFiles: 200,
        configFuzz: 150,
        tornRounds: 25,
        floodMb: 300,
      };
  if (o.kills !== undefined) profile.kills = o.kills;
  if (o.tasks !== undefined) profile.tasks = o.tasks;
  const want = (c) => !o.only || o.only.includes(c);
  log(`chaos: ${o.short ? 'short' : 'long'} profile, seed ${o.seed}`);

  const rows = [];
  const violations = [];
  const findings = [];
  const started = Date.now();
  const run = async (name, fn) => {
    if (!want(name)) return;
    const t = Date.now();
    log(`chaos: ${name} campaign...`);
    try {
      const r = await fn(makeRng(o.seed + name.length * 7919));
      rows.push(...r.rows);
      violations.push(...r.violations.map((v) => `${name}: ${v}`));
      findings.push(...(r.findings ?? []).map((v) => `${name}: ${v}`));
    } catch (err) {
      rows.push([name, 'campaign ran to the end', 'no', false]);
      violations.push(
        `${name}: the campaign itself failed: ${err instanceof Error ? err.stack : String(err)}`,
      );
    }
    log(`chaos: ${name} done in ${Math.round((Date.now() - t) / 1000)} s`);
  };

  await run('kill', async (rng) => {
    const { killCampaign } = await import('./kill.mjs');
    return killCampaign({
      rng,
      kills: profile.kills,
      tasks: profile.tasks,
      gapMs: profile.gapMs,
      log,
      keep: o.keep,
    });
  });
  await run('torn', async (rng) => {
    const { tornCampaign } = await import('./torn.mjs');
    return tornCampaign({ rng, rounds: profile.tornRounds, log, keep: o.keep });
  });
  await run('garbage', async (rng) => {
    const { garbageCampaign } = await import('./garbage.mjs');
    return garbageCampaign({
      rng,
      files: profile.garbageFiles,
      configs: profile.configFuzz,
      log,
      keep: o.keep,
    });
  });
  await run('faults', async (rng) => {
    const { faultsCampaign } = await import('./faults.mjs');
    return faultsCampaign({ rng, floodMb: profile.floodMb, short: o.short, log, keep: o.keep });
  });

  const seconds = Math.round((Date.now() - started) / 1000);
  process.stdout.write(`\n${formatTable(rows)}\n\n`);
  process.stdout.write(
    `seed ${o.seed}, ${seconds} s, ${violations.length} violation(s), ${findings.length} known finding(s)\n`,
  );
  for (const f of findings) process.stdout.write(`  ~ ${f}\n`);
  for (const v of violations.slice(0, 50)) process.stdout.write(`  - ${v}\n`);
  if (violations.length > 50) process.stdout.write(`  ... and ${violations.length - 50} more\n`);
  if (o.json)
    fs.writeFileSync(o.json, JSON.stringify({ seed: o.seed, seconds, rows, violations, findings }, null, 1));
  process.exitCode = violations.length ? 1 : 0;
}

main().catch((err) => {
  process.stderr.write(`chaos: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 2;
});
