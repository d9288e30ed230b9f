import { createHash } from 'node:crypto';
import path from 'node:path';
import { RUN_DIR_PARTS } from '../paths.js';

/**
 * Where the supervisor's IPC endpoint lives. Pure: the platform, uid, temp folder and random
 * suffix are passed in, so every branch is unit-tested on any OS.
 */
export interface SocketPlan {
  /** The socket (POSIX) or named pipe (Windows) path. */
  path: string;
  /** The owner-only folder that holds the socket (node-ipc `config.socketRoot`); null on Windows. */
  socketRoot: string | null;
}

export interface SocketPlanInput {
  root: string;
  platform: NodeJS.Platform;
  /** POSIX uid (process.getuid()); ignored on Windows. */
  uid: number | undefined;
  tmpdir: string;
  /** A fresh random string per supervisor start (named pipes have no folder to protect them). */
  randomSuffix: string;
}

/**
 * sun_path holds 108 bytes on Linux and 104 on macOS (including the NUL); staying under 100 bytes
 * keeps a margin on both.
 */
export const MAX_SOCKET_PATH_BYTES = 100;

const SOCKET_NAME = 'supervisor.sock';

/** A short stable id of a root folder (service names, pipe names, fallback folders). */
export function rootHash(root: string): string {
  return createHash('sha256').update(path.resolve(root)).digest('hex').slice(0, 12);
}

export function planSocket(input: SocketPlanInput): SocketPlan {
  const hash = rootHash(input.root);
  if (input.platform === 'win32') {
    // A pipe has no folder: the random suffix makes it unguessable and the token authenticates.
    return { path: `\\\\.\\pipe\\headless-${hash}-${input.randomSuffix}`, socketRoot: null };
  }
  // The target platform's path rules, not the host's: the plan is tested for every platform anywhere.
  const p = path.posix;
  const preferredRoot = p.join(input.root, ...RUN_DIR_PARTS, 'ipc');
  const preferred = p.join(preferredRoot, SOCKET_NAME);
  if (Buffer.byteLength(preferred) < MAX_SOCKET_PATH_BYTES)
    return { path: preferred, socketRoot: preferredRoot };
  const fallbackRoot = p.join(input.tmpdir, `headless-${input.uid ?? 'user'}-${hash}`);
  return { path: p.join(fallbackRoot, SOCKET_NAME), socketRoot: fallbackRoot };
}
