#!/usr/bin/env node
// `npm start`: the supervisor tree on this repository with the bundled example tasks.
// The examples are enqueued once (ids already known are left out), then the tree runs in the
// foreground until Ctrl+C, `headless stop` or STOP.HEADLESS. Everything it writes (.tasks/, logs/)
// is git-ignored, so the work tree stays clean.
import { spawnSync, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repo, 'packages', 'cli', 'dist', 'bin.js');
const root = process.env.HEADLESS_ROOT ?? repo;
const examples = path.join(repo, '.tasks', 'examples', 'example.tasks.jsonl');

const enq = spawnSync(process.execPath, [cli, 'enqueue', examples, '--skip-known', '--root', root], {
  stdio: 'inherit',
  windowsHide: true,
});
if (enq.status !== 0 && enq.status !== 2) process.exit(enq.status ?? 1);

const child = spawn(
  process.execPath,
  [cli, 'start', '--foreground', '--root', root, ...process.argv.slice(2)],
  { stdio: 'inherit', windowsHide: true },
);
// Ctrl+C reaches the whole process group; the supervisor handles it. Pass on a polite stop otherwise.
for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
process.on('SIGINT', () => {});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
