/**
 * The spawner's entry (bundled as dist/spawner.js): a small long-lived child of the worker that
 * starts the tools for it, so the worker's thread never forks (see spawner-runner.ts). Loads only
 * the runner and koffi or execa (before it says ready), no config, no logger, no store.
 */
import { loadExeca } from './load-execa.js';
import { posixSpawner } from './posix-spawn.js';
import { serveSpawner } from './spawner-serve.js';
import type { FromSpawner } from './spawner-protocol.js';

if (typeof process.send !== 'function') {
  process.stderr.write('spawner-child.js is started by the headless worker (an IPC channel is needed)\n');
  process.exit(2);
}

// What starts the tools, before `ready`: a run handed over then starts at once. Until `ready` the worker
// runs its tools itself, and a spawner started with the worker (early-spawner.ts) has the worker's boot
// to load it. Where posix_spawn is used (koffi, posix-spawn.ts) execa is not loaded at all; it still
// would be at the first run that needs it (a relative path).
if (!posixSpawner()) await loadExeca().catch(() => undefined);
// The worker died meanwhile: there is nobody to serve.
if (!process.connected) process.exit(0);

serveSpawner(
  {
    send: (m: FromSpawner) => {
      // The channel may be closing (the worker died): the results have nowhere to go. With a
      // callback a failed write (EPIPE) is not an 'error' event that would crash the spawner
      // before it has ended its trees.
      if (process.connected) process.send?.(m, undefined, {}, () => undefined);
    },
    onMessage: (handler) => process.on('message', handler),
    onClose: (handler) => process.once('disconnect', handler),
  },
  (code) => process.exit(code),
);
