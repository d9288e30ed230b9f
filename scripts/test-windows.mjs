#!/usr/bin/env node
// `npm run test:windows`: the Windows smoke suite, run on Linux with the Windows build of Node 22
// under Wine (see docs/windows.md). Not part of `npm test` or .ci/run: Wine is ~1 GB.
// Set-up once: `bash scripts/windows/setup-wine-node.sh /tmp/winenode` (or WINE_NODE_DIR=...).
// Everything runs the real headless CLI (packages/cli/dist/bin.js, built on Linux) with
// process.platform === 'win32'. Assertions are on output files, never on an exit code alone
// (Wine's cmd can exit 0 having run nothing).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const wineDir = process.env.WINE_NODE_DIR ?? '/tmp/winenode';
const results = [];
const check = (name, ok, detail = '') => {
  results.push({ name, ok });
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
};

function wineEnv() {
  const file = path.join(wineDir, 'env.sh');
  if (!fs.existsSync(file)) {
    console.error(
      `no Wine + Windows Node in ${wineDir}: run "bash scripts/windows/setup-wine-node.sh ${wineDir}" first`,
    );
    process.exit(2);
  }
  const text = fs.readFileSync(file, 'utf8');
  const get = (name) => new RegExp(`${name}='([^']*)'`).exec(text)?.[1];
  return {
    env: { ...process.env, WINEPREFIX: get('WINEPREFIX'), WINEDEBUG: '-all', WINEPATH: get('WINEPATH') },
    wnode: get('WNODE'),
  };
}
const { env: wenv, wnode } = wineEnv();
const winPath = (p) => `Z:${p.replace(/\//g, '\\')}`;

/** npm installs a package's win32 binaries only on Windows: put koffi's where Windows npm would. */
function ensureWin32Binaries() {
  const lock = JSON.parse(fs.readFileSync(path.join(repo, 'package-lock.json'), 'utf8'));
  for (const name of ['@koromix/koffi-win32-x64']) {
    const dest = path.join(repo, 'node_modules', name);
    if (fs.existsSync(path.join(dest, 'package.json'))) continue;
    const version = lock.packages[`node_modules/${name}`].version;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'w32pkg-'));
    const tgz = execFileSync('npm', ['pack', `${name}@${version}`, '--silent'], {
      cwd: tmp,
      encoding: 'utf8',
    }).trim();
    fs.mkdirSync(dest, { recursive: true });
    execFileSync('tar', ['xzf', path.join(tmp, tgz), '-C', dest, '--strip-components=1']);
  }
}

/** Runs Windows node under Wine; output goes to a file (a pipe from wine node.exe fails with EBADF). */
function wine(args, { timeoutMs = 120_000, out } = {}) {
  const file = out ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wout-')), 'out.txt');
  const fd = fs.openSync(file, 'w');
  const child = spawn('wine', [wnode, ...args], { env: wenv, stdio: ['ignore', fd, fd], cwd: repo });
  fs.closeSync(fd);
  const done = new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, text: fs.readFileSync(file, 'utf8') });
    });
  });
  return { child, done, file };
}
const headless = (root, ...args) =>
  wine([winPath(path.join(repo, 'packages/cli/dist/bin.js')), ...args, '--root', winPath(root)]);

/** Windows processes under Wine are Linux processes: find ours by a token in their command line. */
function processesWith(token) {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(token) && !l.includes('ps -eo'));
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(what, cond, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await cond();
    if (v) return v;
    await sleep(250);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

const HOSTILE = [
  '50%',
  '%PATH%',
  'a b',
  'x&y',
  '"q"',
  'say "hi"',
  'c^d',
  'p|q',
  '<in>',
  'bang!',
  'a\\',
  '',
  'ünï',
];

function makeRoot(name) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `hl-win-${name}-`));
  fs.mkdirSync(path.join(root, '.tasks', 'inbox'), { recursive: true });
  // A shimmed tool: an old-style npm .cmd shim (the style Wine's cmd can run) naming a node script.
  const tools = path.join(root, 'tools');
  fs.mkdirSync(tools);
  fs.writeFileSync(
    path.join(tools, 'echoargs.js'),
    "require('fs').writeFileSync(process.env.ECHO_OUT, JSON.stringify(process.argv.slice(2)));\n",
  );
  fs.writeFileSync(
    path.join(tools, 'echoargs.cmd'),
    '@IF EXIST "%~dp0\\node.exe" (\r\n  "%~dp0\\node.exe"  "%~dp0\\echoargs.js" %*\r\n) ELSE (\r\n  @SETLOCAL\r\n  node  "%~dp0\\echoargs.js" %*\r\n)\r\n',
  );
  const config = JSON.parse(fs.readFileSync(path.join(repo, 'config', 'tools.json'), 'utf8'));
  config.tools.echoargs = {
    ...config.tools.node,
    description: 'a node script behind an npm-style .cmd shim',
    executable: path.win32.join(winPath(tools), 'echoargs.cmd'),
    env: { ECHO_OUT: path.win32.join(winPath(root), 'shim-args.json') },
  };
  fs.mkdirSync(path.join(root, 'config'));
  fs.writeFileSync(path.join(root, 'config', 'tools.json'), JSON.stringify(config, null, 2));
  return root;
}

const writeArgs = (file) =>
  `require('fs').writeFileSync(${JSON.stringify(file)}, JSON.stringify(process.argv.slice(1)))`;
// The tool starts a grandchild and a detached one and records their pids at once (a pid from spawn
// means Windows created the process); the token in their command line finds them afterwards.
const treeTask = (token, pidFile) =>
  [
    "const c=require('child_process');",
    `const k='setTimeout(()=>{},90000)/*${token}*/';`,
    "const d=c.spawn(process.execPath,['-e',k],{stdio:'ignore',detached:true});d.unref();",
    "const g=c.spawn(process.execPath,['-e',k],{stdio:'ignore'});",
    `require('fs').writeFileSync(${JSON.stringify(pidFile)}, JSON.stringify([g.pid,d.pid]));`,
    'setTimeout(()=>{},90000);',
  ].join('');

/** Whether Windows pids are alive, asked from inside Wine (libuv's signal 0: OpenProcess + exit code). */
async function windowsAlive(pids) {
  const code = `console.log(JSON.stringify(${JSON.stringify(pids)}.map((p)=>{try{process.kill(p,0);return true}catch(e){return e.code==='EPERM'}})))`;
  const { text } = await wine(['-e', code]).done;
  return JSON.parse(text.trim().split('\n').at(-1));
}

async function smokeRun() {
  const root = makeRoot('run');
  const w = (f) => path.win32.join(winPath(root), f);
  const token = `hltree${process.pid}x${Date.now()}`;
  const tasks = [
    { id: 'args', tool: 'node', repo: '.', args: ['-e', writeArgs(w('node-args.json')), ...HOSTILE] },
    { id: 'shim', tool: 'echoargs', repo: '.', args: HOSTILE },
    { id: 'exit7', tool: 'node', repo: '.', max_attempts: 1, args: ['-e', 'process.exit(7)'] },
    {
      id: 'tree',
      tool: 'node',
      repo: '.',
      priority: 10,
      max_attempts: 1,
      timeout_sec: 3,
      args: ['-e', treeTask(token, w('tree-pids.json'))],
    },
  ];
  fs.writeFileSync(
    path.join(root, '.tasks', 'inbox', 'smoke.jsonl'),
    tasks.map((t) => JSON.stringify(t)).join('\n') + '\n',
  );
  const { done } = headless(root, 'run');
  const { text } = await done;
  const read = (f) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(root, f), 'utf8'));
    } catch {
      return undefined;
    }
  };
  const nodeArgs = read('node-args.json');
  check(
    'headless run: hostile arguments reach a node task byte for byte',
    JSON.stringify(nodeArgs) === JSON.stringify(HOSTILE),
    JSON.stringify(nodeArgs),
  );
  const shimArgs = read('shim-args.json');
  check(
    'headless run: hostile arguments reach a tool behind a .cmd shim byte for byte',
    JSON.stringify(shimArgs) === JSON.stringify(HOSTILE),
    JSON.stringify(shimArgs),
  );
  const ledger = fs
    .readFileSync(path.join(root, 'logs', 'ledger.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const end = (id) => ledger.find((e) => e.event === 'attempt.end' && e.task === id);
  check(
    'headless run: exit code 7 is recorded and the task failed',
    end('exit7')?.exitCode === 7 && fs.existsSync(path.join(root, '.tasks', 'failed', 'exit7.json')),
    JSON.stringify(end('exit7') ?? {}),
  );
  const tree = end('tree');
  const pids = read('tree-pids.json');
  const ms = tree?.durationMs;
  check(
    'headless run: a timeout_sec 3 task ends within timeout + 10 s',
    tree?.outcome === 'timeout' && typeof ms === 'number' && ms < 13_000,
    `outcome ${tree?.outcome}, ${ms} ms, pids ${JSON.stringify(pids)}`,
  );
  const left = processesWith(token);
  const alive = Array.isArray(pids) ? await windowsAlive(pids) : [];
  check(
    'headless run: nothing of the timed-out tree is alive (grandchild and detached grandchild)',
    Array.isArray(pids) &&
      pids.every((p) => typeof p === 'number') &&
      left.length === 0 &&
      !alive.includes(true),
    `grandchild, detached grandchild pids ${JSON.stringify(pids)}; alive afterwards (Windows): ${JSON.stringify(alive)}; processes with the token: ${left.length ? left.join(' | ') : 'none'}`,
  );
  if (results.some((r) => !r.ok)) console.log(text.split('\n').slice(-15).join('\n'));
}

async function smokeStart() {
  const root = makeRoot('start');
  const sup = headless(root, 'start');
  const status = async () => {
    const { text } = await headless(root, 'status', '--json').done;
    try {
      return JSON.parse(text.slice(text.indexOf('{')));
    } catch {
      return undefined;
    }
  };
  const childState = (st, name) => st?.supervisor?.children?.[name];
  let s;
  try {
    s = await waitFor(
      'worker and orchestrator running',
      async () => {
        const st = await status();
        const w = childState(st, 'worker');
        const o = childState(st, 'orchestrator');
        return w?.state === 'running' && o?.state === 'running' && w?.lastHeartbeatAt && o?.lastHeartbeatAt
          ? st
          : undefined;
      },
      90_000,
    );
    check(
      'headless start: status shows worker and orchestrator running with heartbeats',
      true,
      JSON.stringify({ worker: childState(s, 'worker'), orchestrator: childState(s, 'orchestrator') }),
    );
  } catch (err) {
    check(
      'headless start: status shows worker and orchestrator running with heartbeats',
      false,
      `${err.message}; last status: ${JSON.stringify(await status())}`,
    );
  }
  const token = `hlstart${process.pid}x${Date.now()}`;
  const task = {
    id: 'inbox1',
    tool: 'node',
    repo: '.',
    args: [
      '-e',
      `require('fs').writeFileSync(${JSON.stringify(path.win32.join(winPath(root), 'ran.txt'))}, 'ran ${token}')`,
    ],
  };
  fs.writeFileSync(path.join(root, '.tasks', 'inbox', 'drop.jsonl.tmp'), JSON.stringify(task) + '\n');
  fs.renameSync(
    path.join(root, '.tasks', 'inbox', 'drop.jsonl.tmp'),
    path.join(root, '.tasks', 'inbox', 'drop.jsonl'),
  );
  try {
    await waitFor(
      'the inbox task to be done',
      () => fs.existsSync(path.join(root, '.tasks', 'done', 'inbox1.json')),
      90_000,
    );
    check(
      'headless start: a task dropped in the inbox runs',
      fs.readFileSync(path.join(root, 'ran.txt'), 'utf8') === `ran ${token}`,
    );
  } catch (err) {
    check('headless start: a task dropped in the inbox runs', false, err.message);
  }
  const rootToken = path.basename(root);
  const before = processesWith(rootToken);
  const stop = await headless(root, 'stop').done;
  const exited = await Promise.race([sup.done.then(() => true), sleep(30_000).then(() => false)]);
  // Wine lists processes a moment late (wmic): a short settle before the absence of every process is checked.
  await sleep(1000);
  const left = processesWith(rootToken);
  check(
    'headless stop: STOP.HEADLESS ends the supervisor and every process of the tree',
    exited && left.length === 0,
    `before stop: ${before.length} processes of the root; after: ${left.length}; stop said: ${stop.text.trim().split('\n').at(-1)}`,
  );
  if (!exited) sup.child.kill('SIGKILL');
}

ensureWin32Binaries();
try {
  // A persistent wineserver: start-up 0.2 s instead of ~1 s per Windows process (exit 2: already running).
  // No pipes: the daemon it leaves inherits them, and execFileSync would wait for them to close forever.
  execFileSync('wineserver', ['-p'], { env: wenv, stdio: 'ignore' });
} catch {
  // already running
}
const { text: version } = await wine(['-e', 'console.log(process.platform, process.version)']).done;
console.log(`Windows Node under Wine: ${version.trim()}`);
await smokeRun();
await smokeStart();
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
