// Shared machinery of the chaos campaigns: temp roots with fast policies, a seeded random source,
// the built CLI as a child process, and small waiting helpers (never a bare sleep-and-hope).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultToolsConfig } from '../../packages/core/dist/config/default-tools.js';
import { ToolsConfig } from '../../packages/core/dist/config/schema.js';
import { pathWithFakes } from '../../packages/test-support/dist/fakes.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** `CHAOS_BUILD=bundle`: the tree users run (dist/, with the worker's startup snapshot); else the tsc output. */
export const BUNDLED = process.env.CHAOS_BUILD === 'bundle';
export const CLI = BUNDLED
  ? path.join(REPO, 'dist', 'headless.js')
  : path.join(REPO, 'packages', 'cli', 'dist', 'bin.js');
export const WORKER_ENTRY = path.join(REPO, 'packages', 'queue-worker', 'dist', 'child.js');
export const ORCH_ENTRY = path.join(REPO, 'packages', 'orchestrator', 'dist', 'child.js');

/** mulberry32: a small seeded generator, so a failing campaign can be replayed with --seed. */
export function makeRng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p) => next() < p,
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    bytes: (n) => {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256);
      return b;
    },
  };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves with the promise's value, or undefined after `ms` (the timer does not hold the process). */
export function within(promise, ms) {
  return Promise.race([promise, new Promise((r) => setTimeout(r, ms).unref())]);
}

export async function waitFor(what, check, timeoutMs = 10000, everyMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Like waitFor but returns undefined at the deadline instead of throwing (the campaign reports it). */
export async function waitUntil(check, timeoutMs, everyMs = 100) {
  const safe = async () => {
    try {
      return await check();
    } catch {
      // not there yet (a folder not created, a file mid-rename)
      return undefined;
    }
  };
  try {
    return await waitFor('', safe, timeoutMs, everyMs);
  } catch {
    return undefined;
  }
}

/** The fast policies every campaign uses; `over` is merged one level deep. */
export function fastPolicies(over = {}) {
  const base = {
    worker: { concurrency: 4, settleMs: 50, rescanIntervalMs: 300, maxLineBytes: 65536 },
    retry: { maxAttempts: 20, baseDelayMs: 100, maxDelayMs: 400, jitter: 'full' },
    breaker: { failures: 1000, windowSec: 60, openSec: 1 },
    recovery: { staleAfterSec: 3, maxCrashes: 1000 },
    heartbeat: { intervalSec: 1, staleAfterSec: 5 },
    supervisor: {
      restartBaseMs: 100,
      restartMaxMs: 400,
      stableAfterSec: 1,
      stormRestarts: 100000,
      stormWindowSec: 1,
      stormDelaySec: 1,
    },
    shutdown: { graceSec: 1 },
    logs: { level: 'info' },
  };
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = { ...(base[k] ?? {}), ...v };
  return out;
}

/**
 * The default tools plus `slow` (the fake slowtool: `slow <ms> [code] [--grandchild]`) and `node`
 * kept as is; CHAOS_* and FAKE_* reach the tools so their processes can be found afterwards.
 */
export function chaosTools(extra = {}, loops = {}) {
  const raw = defaultToolsConfig();
  raw.envPass = [...ToolsConfig.parse(raw).envPass, 'CHAOS_*', 'FAKE_*'];
  raw.tools.slow = {
    description: 'chaos: sleeps, optionally leaves a grandchild that ignores SIGTERM',
    executable: 'slowtool',
    argv: ['{args}'],
    writesRepo: false,
    concurrency: 4,
    unknownFailure: 'permanent',
    timeoutSec: 60,
    idleTimeoutSec: 60,
  };
  Object.assign(raw.tools, extra);
  raw.loops = loops;
  return raw;
}

let rootCounter = 0;

/** A fresh root with config/tools.json and config/policies.json written out. */
export async function makeRoot(name, { tools = chaosTools(), policies = fastPolicies() } = {}) {
  const root = await fsp.realpath(
    await fsp.mkdtemp(path.join(os.tmpdir(), `hl-chaos-${name}-${process.pid}-${rootCounter++}-`)),
  );
  await fsp.mkdir(path.join(root, 'config'), { recursive: true });
  await fsp.writeFile(path.join(root, 'config', 'tools.json'), JSON.stringify(tools, null, 1));
  await fsp.writeFile(path.join(root, 'config', 'policies.json'), JSON.stringify(policies, null, 1));
  await fsp.mkdir(path.join(root, '.tasks', 'inbox'), { recursive: true });
  return root;
}

/** The environment of every process a campaign starts: fakes on PATH and a marker to find them. */
export function chaosEnv(runId, root, extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    // Our own test harness variables must not leak into the tree (a jest worker id, NODE_OPTIONS).
    if (k.startsWith('JEST') || k === 'NODE_OPTIONS' || k.startsWith('HEADLESS_')) continue;
    env[k] = v;
  }
  return {
    ...env,
    PATH: pathWithFakes(process.env.PATH ?? ''),
    HOME: root,
    CHAOS_RUN: runId,
    FAKE_STATE_DIR: path.join(root, 'fake-state'),
    ...extra,
  };
}

/** Writes an inbox file like `headless enqueue`: a temp name, then one rename. */
export async function dropInbox(root, name, lines) {
  const inbox = path.join(root, '.tasks', 'inbox');
  await fsp.mkdir(inbox, { recursive: true });
  const text = lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';
  const file = path.join(inbox, name);
  await fsp.writeFile(`${file}.tmp`, text);
  await fsp.rename(`${file}.tmp`, file);
  return file;
}

/** Runs the CLI to completion; resolves with exit code, signal and output (never rejects). */
export function runCli(args, { env, timeoutMs = 120000, cwd = REPO } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env,
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout = (stdout + d).slice(-200000)));
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-200000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut: signal === 'SIGKILL' });
    });
  });
}

/** Starts a long-lived CLI command (start, worker) with its output in a file; returns the child. */
export function spawnCli(args, { env, logFile }) {
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [CLI, ...args], {
    env,
    cwd: REPO,
    stdio: ['ignore', fd, fd],
    detached: true,
    windowsHide: true,
  });
  fs.closeSync(fd);
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return child;
}

export async function readJson(file) {
  try {
    return JSON.parse(await fsp.readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Every file under `dir` (recursively), for greps; symlinks are listed, never followed. */
export async function listFiles(dir) {
  const out = [];
  const walk = async (d) => {
    let entries;
    try {
      entries = await fsp.readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  await walk(dir);
  return out;
}

export async function removeRoot(root) {
  await fsp.rm(root, { recursive: true, force: true, maxRetries: 3 });
}
