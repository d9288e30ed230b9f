// Fuzzed config files for the garbage campaign: every one refused with a ConfigError, never a crash.
import fs from 'node:fs';
import { loadConfig } from '../packages/core/dist/config/load.js';
import { HeadlessError } from '../packages/core/dist/errors/headless-error.js';
import { layout } from '../packages/core/dist/paths.js';
import { makeRoot, removeRoot, runCli } from './lib/common.mjs';

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
export async function configFuzz(rng, total, env, log) {
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
