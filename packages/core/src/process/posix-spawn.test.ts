import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import type * as Koffi from 'koffi';
import {
  decodeWaitStatus,
  errnoName,
  glibcSupports,
  posixSpawnEligible,
  posixSpawner,
  type SpawnedChild,
} from './posix-spawn.js';
import { tempDir } from './test-kit.js';
import { linuxOnly } from '../platform-kit.js';

describe('posix_spawn policy', () => {
  it('decodes waitpid status words', () => {
    expect(decodeWaitStatus(0)).toEqual({ code: 0, signal: null });
    expect(decodeWaitStatus(3 << 8)).toEqual({ code: 3, signal: null });
    expect(decodeWaitStatus(255 << 8)).toEqual({ code: 255, signal: null });
    expect(decodeWaitStatus(os.constants.signals.SIGKILL)).toEqual({ code: null, signal: 'SIGKILL' });
    // 0x80: the core-dump bit next to the signal.
    expect(decodeWaitStatus(0x80 | os.constants.signals.SIGSEGV)).toEqual({ code: null, signal: 'SIGSEGV' });
  });

  it('names errnos as Node does', () => {
    expect(errnoName(os.constants.errno.ENOENT)).toBe('ENOENT');
    expect(errnoName(os.constants.errno.EACCES)).toBe('EACCES');
    expect(errnoName(99999)).toBe('E99999');
  });

  it('is used on Linux with glibc 2.29 or later only, and HEADLESS_POSIX_SPAWN=0 turns it off', () => {
    expect(posixSpawnEligible('linux', {})).toBe(true);
    expect(posixSpawnEligible('linux', { HEADLESS_POSIX_SPAWN: '0' })).toBe(false);
    expect(posixSpawnEligible('darwin', {})).toBe(false);
    expect(posixSpawnEligible('win32', {})).toBe(false);
    expect(glibcSupports('2.36')).toBe(true);
    expect(glibcSupports('2.29')).toBe(true);
    expect(glibcSupports('2.28')).toBe(false);
    expect(glibcSupports('3.0')).toBe(true);
    expect(glibcSupports(undefined)).toBe(false);
    expect(glibcSupports('')).toBe(false);
  });
});

const onLinux = linuxOnly('posix_spawn is used on Linux (glibc) only; /proc shows the signal masks');

function text(stream: Readable): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    stream.on('data', (d: Buffer) => (s += d.toString()));
    stream.on('close', () => resolve(s));
  });
}

/** Runs `fn` (whose spawn is synchronous, at its start) with `signal` blocked in this thread. */
async function withSignalBlocked<T>(signal: number, fn: () => Promise<T>): Promise<T> {
  const koffi = createRequire(import.meta.url)('koffi') as typeof Koffi;
  const libc = koffi.load('libc.so.6');
  const sigprocmask = libc.func('int sigprocmask(int how, void *set, void *old)');
  const sigemptyset = libc.func('int sigemptyset(void *set)');
  const sigaddset = libc.func('int sigaddset(void *set, int sig)');
  const [SIG_BLOCK, SIG_SETMASK] = [0, 2];
  const set = Buffer.alloc(256);
  const old = Buffer.alloc(256);
  sigemptyset(set);
  sigaddset(set, signal);
  sigprocmask(SIG_BLOCK, set, old);
  let pending: Promise<T>;
  try {
    pending = fn();
  } finally {
    sigprocmask(SIG_SETMASK, old, null);
  }
  return pending;
}

async function run(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; input?: string; file?: string } = {},
): Promise<{ out: string; err: string; exit: Awaited<SpawnedChild['exited']>; pid: number }> {
  const spawner = posixSpawner();
  if (!spawner)
    throw new Error('posix_spawn is not available on this Linux (glibc >= 2.29 and koffi are expected)');
  const c = spawner.spawn(opts.file ?? '/bin/sh', opts.file ? args : ['-c', ...args], {
    cwd: opts.cwd ?? os.tmpdir(),
    env: opts.env ?? { PATH: '/usr/bin:/bin' },
    ...(opts.input === undefined ? {} : { input: opts.input }),
  });
  if ('failed' in c) throw new Error(c.failed.originalMessage);
  const [out, err, exit] = await Promise.all([text(c.stdout), text(c.stderr), c.exited]);
  return { out, err, exit, pid: c.pid };
}

onLinux.describe('posix_spawn on this machine', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await tempDir()));
  afterAll(() => cleanup());

  it('gives the child its own session and group and /dev/null for stdin', async () => {
    const r = await run([
      'echo "pgid=$(ps -o pgid= -p $$ | tr -d " ") sid=$(ps -o sid= -p $$ | tr -d " ") pid=$$"; cat; echo eof',
    ]);
    expect(r.out).toContain(`pgid=${r.pid} sid=${r.pid} pid=${r.pid}`);
    expect(r.out.trimEnd().endsWith('eof')).toBe(true);
    expect(r.exit).toEqual({ code: 0, signal: null });
  });

  it('gives the child default signal dispositions and an empty signal mask', async () => {
    // grep spawned itself reads its own masks: a shell in between blocks signals for a moment around
    // each fork, and a child reading the shell's status can see that.
    const grep = ['/usr/bin/grep', '/bin/grep'].find((f) => fs.existsSync(f)) ?? 'grep';
    // SIGUSR2 blocked in this thread while it spawns: without the reset the child would inherit that.
    const r = await withSignalBlocked(os.constants.signals.SIGUSR2, () =>
      run(['-E', '^Sig(Ign|Blk)', '/proc/self/status'], { file: grep }),
    );
    // Signals 1-31 (SIGPIPE, which Node ignores, among them). glibc's posix_spawn leaves its own
    // internal signals 32 and 33 ignored; glibc installs their handlers itself when it needs them.
    const mask = (name: string) =>
      BigInt(`0x${new RegExp(`${name}:\\s+([0-9a-f]+)`).exec(r.out)?.[1] ?? 'ff'}`);
    expect(mask('SigIgn') & 0x7fffffffn).toBe(0n);
    expect(mask('SigBlk')).toBe(0n);
    expect(r.exit).toEqual({ code: 0, signal: null });
  });

  it('runs in the working folder with exactly the environment given, and feeds input then EOF', async () => {
    const r = await run(['pwd; env | sort; cat; echo "[$?]" >&2; exit 7'], {
      cwd: dir,
      env: { PATH: '/usr/bin:/bin', ONLY: 'this' },
      input: 'line one\nline two',
    });
    expect(r.out.split('\n')[0]).toBe(fs.realpathSync(dir));
    expect(r.out).toContain('ONLY=this');
    expect(r.out).not.toContain('HOME=');
    expect(r.out).toContain('line one\nline two');
    expect(r.err).toBe('[0]\n');
    expect(r.exit).toEqual({ code: 7, signal: null });
  });

  it('reports the signal that ended the child', async () => {
    const r = await run(['kill -TERM $$']);
    expect(r.exit).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('fails a missing or non-executable program with its errno, leaving no descriptor open', () => {
    const spawner = posixSpawner();
    if (!spawner) throw new Error('posix_spawn is not available');
    const before = fs.readdirSync('/proc/self/fd').length;
    const missing = spawner.spawn(path.join(dir, 'nope'), [], { cwd: dir, env: {} });
    expect(missing).toEqual({
      failed: { code: 'ENOENT', originalMessage: `spawn ${path.join(dir, 'nope')} ENOENT` },
    });
    const file = path.join(dir, 'plain.txt');
    fs.writeFileSync(file, 'echo hi\n', { mode: 0o644 });
    const denied = spawner.spawn(file, [], { cwd: dir, env: {}, input: 'x' });
    expect(denied).toEqual({ failed: { code: 'EACCES', originalMessage: `spawn ${file} EACCES` } });
    expect(fs.readdirSync('/proc/self/fd').length).toBe(before);
  });

  it('reaps many short children without losing an exit', async () => {
    const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => run([`exit ${i}`])));
    expect(runs.map((r) => r.exit.code)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});
