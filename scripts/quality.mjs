#!/usr/bin/env node
// The quality gate, the same locally and in CI: `npm run quality [-- --only a,b | --skip a,b | --test-pattern re]`.
// Steps: format (prettier --check), lint (eslint, type-aware), typecheck (tsc -b, which also builds),
// test (jest on the built tests), then any extra steps from config/quality.json. Each step's output
// goes to logs/quality/<step>.log; a summary (naming the files at fault) is printed and written to
// logs/quality/summary.md. Exit code 1 when a step failed.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import {
  BUILT_IN_STEPS,
  findOnPath,
  offendingFiles,
  parseArgs,
  parseQualityConfig,
  renderSummary,
  selectSteps,
} from './quality-lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const logDir = path.join(root, 'logs', 'quality');
const require = createRequire(import.meta.url);

/** The JS entry of a package's bin, run with this node: no .cmd shims, no shell, same on every OS. */
function bin(pkg, name) {
  const manifest = require.resolve(`${pkg}/package.json`, { paths: [root] });
  const { bin: bins } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  const rel = typeof bins === 'string' ? bins : bins[name ?? pkg];
  return path.join(path.dirname(manifest), rel);
}

function builtInSteps(args) {
  const node = process.execPath;
  return {
    format: [node, bin('prettier'), '--check', '.'],
    lint: [node, bin('eslint'), '.'],
    typecheck: [node, bin('typescript', 'tsc'), '-b', '--pretty', 'false'],
    test: [
      node,
      '--experimental-vm-modules',
      '--no-warnings=ExperimentalWarning',
      bin('jest'),
      ...(args.testPattern ? [args.testPattern] : []),
    ],
  };
}

function extraSteps() {
  const file = path.join(root, 'config', 'quality.json');
  if (!fs.existsSync(file)) return [];
  return parseQualityConfig(fs.readFileSync(file, 'utf8')).steps;
}

function isFile(p) {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function envValue(name) {
  const key = Object.keys(process.env).find((k) =>
    process.platform === 'win32' ? k.toUpperCase() === name : k === name,
  );
  return key === undefined ? undefined : process.env[key];
}

async function runStep(name, argv) {
  const log = path.join(logDir, `${name}.log`);
  const started = performance.now();
  process.stdout.write(`quality: ${name} ...\n`);
  const result = await execa(argv[0], argv.slice(1), {
    cwd: root,
    all: true,
    reject: false,
    stdin: 'ignore',
    windowsHide: true,
    // Plain text: the logs are read by people and by the parsers that name the files.
    env: { FORCE_COLOR: '0', NO_COLOR: '1' },
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  const output = result.all ?? '';
  fs.writeFileSync(log, `$ ${argv.join(' ')}\n${output}\n\nexit code: ${result.exitCode ?? result.signal}\n`);
  const failed = result.exitCode !== 0;
  const files = failed ? offendingFiles(name, output, root) : [];
  process.stdout.write(`quality: ${name} ${failed ? 'FAILED' : 'passed'} (${seconds.toFixed(1)} s)\n`);
  if (failed) {
    // The tail here too, so a CI log shows the reason without downloading the artifact.
    const tail = output.split(/\r?\n/).slice(-40).join('\n');
    process.stdout.write(`--- last lines of ${path.relative(root, log)} ---\n${tail}\n---\n`);
  }
  return {
    name,
    status: failed ? 'failed' : 'passed',
    seconds,
    log: path.relative(root, log).split(path.sep).join('/'),
    files,
    note: failed && result.timedOut ? 'timed out' : failed && files.length === 0 ? 'see the log' : undefined,
  };
}

async function main() {
  let args;
  let extras;
  try {
    args = parseArgs(process.argv.slice(2));
    extras = extraSteps();
  } catch (err) {
    process.stderr.write(`quality: ${err.message}\n`);
    return 2;
  }
  const commands = builtInSteps(args);
  for (const step of extras) commands[step.name] = step.command;
  let names;
  try {
    names = selectSteps([...BUILT_IN_STEPS, ...extras.map((s) => s.name)], args);
  } catch (err) {
    process.stderr.write(`quality: ${err.message}\n`);
    return 2;
  }
  fs.mkdirSync(logDir, { recursive: true });

  const results = [];
  for (const name of names) {
    const extra = extras.find((s) => s.name === name);
    let argv = commands[name];
    if (extra) {
      const found = findOnPath(argv[0], {
        pathEnv: envValue('PATH'),
        pathExt: envValue('PATHEXT'),
        platform: process.platform,
        exists: isFile,
      });
      if (!found) {
        const note = `${argv[0]} not found on PATH`;
        if (extra.optional) {
          process.stdout.write(
            `quality: ${name} skipped: ${note} (optional step from config/quality.json)\n`,
          );
          results.push({ name, status: 'skipped', seconds: 0, log: null, files: [], note });
        } else {
          process.stdout.write(
            `quality: ${name} FAILED: ${note} (set "optional": true to skip it when absent)\n`,
          );
          results.push({ name, status: 'failed', seconds: 0, log: null, files: [], note });
        }
        continue;
      }
      argv = [found, ...argv.slice(1)];
    }
    results.push(await runStep(name, argv));
  }

  const summary = renderSummary(results);
  fs.writeFileSync(path.join(logDir, 'summary.md'), `# Quality gate\n\n${summary}`);
  process.stdout.write(`\n${summary}`);
  return results.some((r) => r.status === 'failed') ? 1 : 0;
}

process.exitCode = await main();
