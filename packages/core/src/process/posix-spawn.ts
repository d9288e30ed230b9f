import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import type { Readable } from 'node:stream';
import type * as Koffi from 'koffi';
import { isOlderVersion } from '../version-order.js';

/**
 * Starting a tool with glibc's posix_spawn (through koffi) instead of Node's spawn, on Linux.
 * libuv forks: the kernel copies the page tables of the whole Node process for every tool, ~5 ms
 * per `true` on the 2-core bench box against 1.6–1.8 ms for posix_spawn, which glibc runs with
 * CLONE_VFORK (bench/FINDINGS.md, session 16). Everything around the spawn stays Node's: the pipes
 * are read and written as net.Sockets, the exit is reaped on SIGCHLD. The child gets what Node's
 * spawn gives a `detached` child: its own session and process group, default signal dispositions
 * and an empty signal mask (Node ignores SIGPIPE; a tool must not inherit that), stdin from
 * /dev/null or a pipe, and no other descriptor (Node opens every one close-on-exec).
 * Not Linux, not glibc 2.29+, no koffi binary, or HEADLESS_POSIX_SPAWN=0: `posixSpawner()` is
 * undefined and the runner uses execa as before. The runner also leaves to execa a relative path, an
 * argument with a NUL byte, and a script that posix_spawn refuses with ENOEXEC (run.ts).
 */

/** Linux values (the same on every architecture Node ships for). */
const O_RDONLY = 0;
const O_CLOEXEC = 0o2000000;
const WNOHANG = 1;
const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
const POSIX_SPAWN_SETSID = 0x80;
/** Larger than glibc's posix_spawn_file_actions_t (80 bytes), posix_spawnattr_t (336) and sigset_t (128). */
const FILE_ACTIONS_BYTES = 256;
const ATTR_BYTES = 1024;
const SIGSET_BYTES = 256;
/** A missed SIGCHLD (they coalesce) is still reaped this soon. */
const REAP_POLL_MS = 250;

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnedChild {
  pid: number;
  stdout: Readable;
  stderr: Readable;
  exited: Promise<ChildExit>;
}

/** A spawn that failed: the errno's name (ENOENT, EACCES, ENOEXEC, ...) and Node's wording for it. */
export interface SpawnFailed {
  failed: { code: string; originalMessage: string };
}

export interface SpawnOptions {
  cwd: string;
  env: Readonly<Record<string, string>>;
  /** Written to stdin, which is then closed; absent: stdin is /dev/null. */
  input?: string;
}

export interface PosixSpawner {
  /** `file` must be absolute (the runner has found it on PATH already). */
  spawn(file: string, args: readonly string[], opts: SpawnOptions): SpawnedChild | SpawnFailed;
}

/** What waitpid's status word says: an exit code, or the signal that ended the child. */
export function decodeWaitStatus(status: number): ChildExit {
  const termSig = status & 0x7f;
  if (termSig === 0) return { code: (status >> 8) & 0xff, signal: null };
  return { code: null, signal: signalName(termSig) };
}

function signalName(n: number): NodeJS.Signals | null {
  const hit = Object.entries(os.constants.signals).find(([, v]) => v === n);
  return hit ? (hit[0] as NodeJS.Signals) : null;
}

/** ENOENT for 2, ...; `E<n>` for a number Node has no name for. */
export function errnoName(n: number): string {
  const hit = Object.entries(os.constants.errno).find(([, v]) => v === n);
  return hit ? hit[0] : `E${n}`;
}

/**
 * Whether this process may try posix_spawn: Linux, and not turned off with HEADLESS_POSIX_SPAWN=0
 * (an A/B switch for the bench, and a way out).
 */
export function posixSpawnEligible(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): boolean {
  return platform === 'linux' && env.HEADLESS_POSIX_SPAWN !== '0';
}

/** glibc 2.29 or later (posix_spawn_file_actions_addchdir_np); musl, whose flags differ, has no such version. */
export function glibcSupports(version: string | undefined): boolean {
  return version !== undefined && !isOlderVersion(version, '2.29');
}

interface Libc {
  spawn: (...a: unknown[]) => number;
  faInit: (fa: Buffer) => number;
  faDestroy: (fa: Buffer) => number;
  faDup2: (fa: Buffer, fd: number, to: number) => number;
  faOpen: (fa: Buffer, fd: number, file: string, flags: number, mode: number) => number;
  faChdir: (fa: Buffer, dir: string) => number;
  attrInit: (a: Buffer) => number;
  attrDestroy: (a: Buffer) => number;
  attrFlags: (a: Buffer, flags: number) => number;
  attrSigDefault: (a: Buffer, set: Buffer) => number;
  attrSigMask: (a: Buffer, set: Buffer) => number;
  sigfillset: (set: Buffer) => number;
  sigemptyset: (set: Buffer) => number;
  pipe2: (fds: number[], flags: number) => number;
  waitpid: (pid: number, status: number[], options: number) => number;
  version: () => string;
  /** errno after the last call that failed. */
  errno: () => number;
}

function bindLibc(): Libc {
  const koffi = createRequire(import.meta.url)('koffi') as typeof Koffi;
  const lib = koffi.load('libc.so.6');
  const f = (sig: string) => lib.func(sig) as (...a: unknown[]) => number;
  return {
    spawn: f(
      'int posix_spawn(_Out_ int *pid, const char *path, void *fa, void *attr, const char **argv, const char **envp)',
    ),
    faInit: f('int posix_spawn_file_actions_init(void *fa)'),
    faDestroy: f('int posix_spawn_file_actions_destroy(void *fa)'),
    faDup2: f('int posix_spawn_file_actions_adddup2(void *fa, int fd, int newfd)'),
    faOpen: f(
      'int posix_spawn_file_actions_addopen(void *fa, int fd, const char *path, int oflag, int mode)',
    ),
    faChdir: f('int posix_spawn_file_actions_addchdir_np(void *fa, const char *path)'),
    attrInit: f('int posix_spawnattr_init(void *attr)'),
    attrDestroy: f('int posix_spawnattr_destroy(void *attr)'),
    attrFlags: f('int posix_spawnattr_setflags(void *attr, short flags)'),
    attrSigDefault: f('int posix_spawnattr_setsigdefault(void *attr, void *set)'),
    attrSigMask: f('int posix_spawnattr_setsigmask(void *attr, void *set)'),
    sigfillset: f('int sigfillset(void *set)'),
    sigemptyset: f('int sigemptyset(void *set)'),
    pipe2: f('int pipe2(_Out_ int *fds, int flags)'),
    waitpid: f('int waitpid(int pid, _Out_ int *status, int options)'),
    version: lib.func('const char *gnu_get_libc_version()') as () => string,
    errno: () => koffi.errno(),
  };
}

let loaded: PosixSpawner | null | undefined;

/** The spawner of this process, or undefined where posix_spawn is not used (see posixSpawnEligible). */
export function posixSpawner(): PosixSpawner | undefined {
  if (!posixSpawnEligible(process.platform, process.env)) return undefined;
  if (loaded === undefined) {
    loaded = null;
    try {
      const libc = bindLibc();
      if (glibcSupports(libc.version())) loaded = makeSpawner(libc);
    } catch {
      // No koffi binary for this machine, or no glibc (libc.so.6, gnu_get_libc_version): Node's spawn it is.
    }
  }
  return loaded ?? undefined;
}

function makeSpawner(libc: Libc): PosixSpawner {
  const reaper = new Reaper(libc);
  const pipe = (): [number, number] => {
    const fds = [0, 0];
    if (libc.pipe2(fds, O_CLOEXEC) !== 0) throw new PipeError(libc.errno());
    return [fds[0] ?? -1, fds[1] ?? -1];
  };
  return {
    spawn(file, args, opts) {
      const made: number[] = [];
      let out: [number, number];
      let err: [number, number];
      let inp: [number, number] | undefined;
      try {
        out = pipe();
        made.push(...out);
        err = pipe();
        made.push(...err);
        inp = opts.input === undefined ? undefined : pipe();
      } catch (e) {
        // Out of descriptors (EMFILE): a spawn error like Node's, with nothing left open.
        for (const fd of made) fs.closeSync(fd);
        const code = errnoName(e instanceof PipeError ? e.errno : 0);
        return {
          failed: { code, originalMessage: `spawn ${file} ${code} (no descriptors left for its pipes)` },
        };
      }
      const fa = Buffer.alloc(FILE_ACTIONS_BYTES);
      const attr = Buffer.alloc(ATTR_BYTES);
      const all = Buffer.alloc(SIGSET_BYTES);
      const none = Buffer.alloc(SIGSET_BYTES);
      libc.faInit(fa);
      libc.attrInit(attr);
      let rc: number;
      const pid = [0];
      try {
        if (inp) libc.faDup2(fa, inp[0], 0);
        else libc.faOpen(fa, 0, '/dev/null', O_RDONLY, 0);
        libc.faDup2(fa, out[1], 1);
        libc.faDup2(fa, err[1], 2);
        libc.faChdir(fa, opts.cwd);
        libc.sigfillset(all);
        libc.sigemptyset(none);
        libc.attrSigDefault(attr, all);
        libc.attrSigMask(attr, none);
        libc.attrFlags(attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSID);
        const argv = [file, ...args, null];
        const envp = [...Object.entries(opts.env).map(([k, v]) => `${k}=${v}`), null];
        rc = libc.spawn(pid, file, fa, attr, argv, envp);
      } finally {
        libc.faDestroy(fa);
        libc.attrDestroy(attr);
        // The child's ends: it has its own copies now (or there is no child).
        for (const fd of [out[1], err[1], ...(inp ? [inp[0]] : [])]) fs.closeSync(fd);
      }
      if (rc !== 0) {
        for (const fd of [out[0], err[0], ...(inp ? [inp[1]] : [])]) fs.closeSync(fd);
        const code = errnoName(rc);
        return { failed: { code, originalMessage: `spawn ${file} ${code}` } };
      }
      const childPid = pid[0] ?? 0;
      const exited = reaper.watch(childPid);
      if (inp) {
        const stdin = new net.Socket({ fd: inp[1], readable: false, writable: true });
        // A child that exits without reading its input (EPIPE) is the child's business.
        stdin.on('error', () => undefined);
        stdin.end(opts.input ?? '');
      }
      return {
        pid: childPid,
        stdout: new net.Socket({ fd: out[0], readable: true, writable: false }),
        stderr: new net.Socket({ fd: err[0], readable: true, writable: false }),
        exited,
      };
    },
  };
}

class PipeError extends Error {
  constructor(readonly errno: number) {
    super(`pipe2 failed: ${errnoName(errno)}`);
  }
}

/**
 * Reaps the children posix_spawn started: libuv's SIGCHLD handler waits only for the pids it spawned,
 * so these are waited for here, with WNOHANG, at every SIGCHLD and every REAP_POLL_MS while any is
 * running (the timer also keeps the process alive for them). The SIGCHLD listener stays once added:
 * a child that exits before its pid is registered here must still find one (a signal that comes
 * while no listener is there is lost to it), and a listener does not keep the process alive.
 */
class Reaper {
  private readonly waiting = new Map<number, (exit: ChildExit) => void>();
  private timer: NodeJS.Timeout | undefined;
  private listening = false;
  private readonly onSignal = (): void => this.poll();

  constructor(private readonly libc: Libc) {}

  watch(pid: number): Promise<ChildExit> {
    return new Promise((resolve) => {
      this.waiting.set(pid, resolve);
      if (!this.listening) {
        this.listening = true;
        process.on('SIGCHLD', this.onSignal);
        // Its first SIGCHLD may have come before the listener.
        setImmediate(this.onSignal);
      }
      this.timer ??= setInterval(this.onSignal, REAP_POLL_MS);
    });
  }

  private poll(): void {
    for (const [pid, resolve] of this.waiting) {
      const status = [0];
      const got = this.libc.waitpid(pid, status, WNOHANG);
      // -1: not our child any more (ECHILD); nothing will ever report it, so it counts as gone.
      if (got !== pid && got !== -1) continue;
      this.waiting.delete(pid);
      resolve(got === pid ? decodeWaitStatus(status[0] ?? 0) : { code: null, signal: null });
    }
    if (this.waiting.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
