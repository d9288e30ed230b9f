/**
 * The spawner's entry (bundled as dist/spawner.js): a small long-lived child of the worker that
 * starts the tools for it, so the worker's thread never forks (see spawner-runner.ts). Loads only
 * the runner: execa at the first spawn, no config, no logger, no store.
 */
import { serveSpawner } from './spawner-serve.js';
import type { FromSpawner } from './spawner-protocol.js';

if (typeof process.send !== 'function') {
  process.stderr.write('spawner-child.js is started by the headless worker (an IPC channel is needed)\n');
  process.exit(2);
}

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
