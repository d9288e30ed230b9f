#!/usr/bin/env node
// `npm start`: the supervisor tree on this repository with the bundled example tasks.
// The examples are enqueued once (ids already known are left out), then the tree runs in the
// foreground until Ctrl+C, `headless stop` or STOP.HEADLESS. Everything it writes (.tasks/, logs/)
// is git-ignored, and the AI examples (which may edit files) run in a clone of this repository
// under .tasks/, so `npm start` never dirties the work tree.
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Said once, before the example clone and the enqueue (the CLI would refuse each step on its own).
const { nodeVersionProblem } = await import(
  pathToFileURL(path.join(repo, 'packages', 'core', 'dist', 'node-version.js')).href
);
const tooOld = nodeVersionProblem(process.versions.node, process.execPath);
if (tooOld) {
  console.error(`headless: ${tooOld}`);
  process.exit(2);
}
// The bundle `npm run build` writes (one file per process: the fastest start), else the tsc output.
const bundled = path.join(repo, 'dist', 'headless.js');
const cli = fs.existsSync(bundled) ? bundled : path.join(repo, 'packages', 'cli', 'dist', 'bin.js');
const root = path.resolve(process.env.HEADLESS_ROOT || repo);
const examples = path.join(repo, '.tasks', 'examples', 'example.tasks.jsonl');
const AI_TOOLS = new Set(['aider', 'codex', 'claude', 'gemini']);

/** A clone of the root's repository for tasks that edit files (refreshed only if missing). */
function sandbox() {
  const dir = path.join(root, '.tasks', 'example-repo');
  if (!fs.existsSync(path.join(dir, '.git'))) {
    const r = spawnSync('git', ['clone', '--quiet', '--local', root, dir], {
      stdio: 'inherit',
      windowsHide: true,
    });
    if (r.status !== 0) return undefined;
  }
  return path.relative(root, dir).split(path.sep).join('/');
}

let file = examples;
const lines = fs
  .readFileSync(examples, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '');
const tasks = lines.map((l) => JSON.parse(l));
if (tasks.some((t) => AI_TOOLS.has(t.tool)) && fs.existsSync(path.join(root, '.git'))) {
  const where = sandbox();
  if (where) {
    for (const t of tasks) if (AI_TOOLS.has(t.tool)) t.repo = where;
    file = path.join(root, '.tasks', 'example.tasks.start.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, tasks.map((t) => JSON.stringify(t)).join('\n') + '\n');
    console.error(`npm start: the AI examples run in ${where} (a clone), so this checkout stays as it is`);
  }
}

const enq = spawnSync(process.execPath, [cli, 'enqueue', file, '--skip-known', '--root', root], {
  stdio: 'inherit',
  windowsHide: true,
});
if (enq.status !== 0 && enq.status !== 2) process.exit(enq.status ?? 1);

const child = spawn(
  process.execPath,
  [cli, 'start', '--foreground', '--root', root, ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    windowsHide: true,
  },
);
// Ctrl+C reaches the whole process group; the supervisor handles it. Pass on a polite stop otherwise.
for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
process.on('SIGINT', () => {});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
