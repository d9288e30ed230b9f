// Preloaded with `node --import` by bench/profile.mjs (never by the bench itself): counts the file
// system calls and spawns of a process and the wall time spent awaiting each kind, and writes them
// to $HEADLESS_BENCH_TRACE_DIR/io-<pid>.json at exit. Time of overlapping calls adds up.
import childProcess from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { syncBuiltinESMExports } from 'node:module';

const stats = {};
const add = (k, ms) => {
  const s = (stats[k] ??= { n: 0, ms: 0 });
  s.n++;
  s.ms += ms;
};
const wrapAsync = (obj, name, key) => {
  const orig = obj[name];
  if (typeof orig !== 'function') return;
  obj[name] = async function (...args) {
    const t = performance.now();
    try {
      return await orig.apply(this, args);
    } finally {
      add(key, performance.now() - t);
    }
  };
};
for (const n of [
  'open',
  'rename',
  'readdir',
  'readFile',
  'writeFile',
  'mkdir',
  'rm',
  'access',
  'lstat',
  'stat',
  'appendFile',
  'unlink',
])
  wrapAsync(fsp, n, `fsp.${n}`);
const probe = await fsp.open(process.execPath, 'r');
const FH = Object.getPrototypeOf(probe);
await probe.close();
for (const n of ['sync', 'datasync', 'write', 'writeFile', 'close', 'read', 'stat'])
  wrapAsync(FH, n, `fh.${n}`);
const origSpawn = childProcess.spawn;
childProcess.spawn = function (...args) {
  const t = performance.now();
  try {
    return origSpawn.apply(this, args);
  } finally {
    add('spawn (synchronous part)', performance.now() - t);
  }
};
syncBuiltinESMExports();

const dir = process.env.HEADLESS_BENCH_TRACE_DIR;
process.on('exit', () => {
  if (!dir) return;
  fs.writeFileSync(
    path.join(dir, `io-${process.pid}.json`),
    JSON.stringify({ argv: process.argv.slice(1), stats }),
  );
});
