#!/usr/bin/env node
// `npm run build`'s second step (after `tsc -b`): one ESM bundle per process entry in dist/ at the
// repository root — the CLI (which is also the supervisor), the queue-worker child, the
// orchestrator child and the worker's spawner — with shared code split into chunks, so each process
// compiles a handful of files instead of ~300–600 modules at start. Reads the tsc output
// (packages/*/dist), so types are checked once, by tsc.
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { build } from 'esbuild';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(repo, 'dist');
const pkg = (name, file) => path.join(repo, 'packages', name, 'dist', file);

export const ENTRIES = {
  headless: pkg('cli', 'bin.js'),
  worker: pkg('queue-worker', 'child.js'),
  orchestrator: pkg('orchestrator', 'child.js'),
  // The worker's spawner (core/src/process/spawner-child.ts): starts the tools so the worker never forks.
  spawner: pkg('core', 'process/spawner-child.js'),
};

// CommonJS packages in the bundle (winston, commander, fast-glob, …) call require() for Node's
// built-ins; an ESM bundle has no require of its own.
const banner = [
  "import { createRequire as __headlessCreateRequire } from 'node:module';",
  'const require = __headlessCreateRequire(import.meta.url);',
].join('\n');

/**
 * zod's `z` namespace re-exports every message locale (`z.locales`, ~360 KB: half of zod in the
 * bundle), and a namespace cannot be tree-shaken. headless uses only the English messages zod
 * installs by default (`config(en())`, imported directly), so `z.locales` keeps `en` alone.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
      contents: 'export { default as en } from "./en.js";\n',
      loader: 'js',
    }));
  },
};

/**
 * node-ipc imports `node:tls` and `node:dgram` for its TLS and UDP transports; headless uses neither (a
 * Unix socket or a named pipe, core/src/ipc/endpoint.ts). They kept node-ipc out of the worker's startup
 * snapshot (the build aborted on their bindings: "Unknown external reference"), so in the bundles
 * they are replaced, for node-ipc's files only, by a module whose functions throw.
 */
const nodeIpcWithoutTlsUdp = {
  name: 'node-ipc-without-tls-udp',
  setup(b) {
    b.onResolve({ filter: /^node:(tls|dgram)$/ }, (args) =>
      /[\\/]node-ipc[\\/]/.test(args.importer)
        ? { path: args.path, namespace: 'unused-transport' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'unused-transport' }, (args) => ({
      contents: `const unused = () => { throw new Error("node-ipc's ${args.path} transport is not in headless's bundle"); };
export default { connect: unused, createServer: unused, createSocket: unused };\n`,
      loader: 'js',
    }));
  },
};

/**
 * The build's id (core/src/config/cache.ts keys the CLI's config cache with it): a hash of the tsc
 * output it is built from and of zod's version, so any change of the code validates config again.
 */
function buildId() {
  const hash = createHash('sha256');
  const zodVersion = JSON.parse(
    fs.readFileSync(path.join(repo, 'node_modules', 'zod', 'package.json'), 'utf8'),
  ).version;
  hash.update(`zod ${zodVersion}\n`);
  for (const name of fs.readdirSync(path.join(repo, 'packages')).sort()) {
    const dist = path.join(repo, 'packages', name, 'dist');
    if (!fs.existsSync(dist)) continue;
    const files = fs
      .readdirSync(dist, { recursive: true })
      .filter((f) => f.endsWith('.js') && !f.endsWith('.test.js'));
    for (const file of files.sort())
      hash.update(`${name}/${file}\n`).update(fs.readFileSync(path.join(dist, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * commander's three built-ins without their ESM facades. An ESM import of a built-in builds a
 * facade that reads every export, and for `node:util` and `node:process` that loads more of Node
 * through their lazy exports (util's diff and parse_args, worker_threads, `process.report`): 11 ms
 * of every CLI start here (bench/FINDINGS.md, session 17). commander uses `process` (the global),
 * `stripVTControlCharacters` and, for executable subcommands (headless has none), `child_process`,
 * which is loaded at its first use. A name commander starts to import that is not here fails the
 * build ("No matching export"), so this cannot go wrong silently.
 */
const COMMANDER_BUILTINS = {
  'node:process': 'export default globalThis.process;',
  'node:util':
    "const util = () => process.getBuiltinModule('node:util');\n" +
    'export const stripVTControlCharacters = (text) => util().stripVTControlCharacters(text);',
  'node:child_process':
    "export default new Proxy({}, { get: (_, key) => process.getBuiltinModule('node:child_process')[key] });",
};
const commanderBuiltins = {
  name: 'commander-builtins',
  setup(b) {
    b.onResolve({ filter: /^node:(process|util|child_process)$/ }, (args) =>
      /[\\/]commander[\\/]/.test(args.importer)
        ? { path: args.path, namespace: 'commander-builtin' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'commander-builtin' }, (args) => ({
      contents: `${COMMANDER_BUILTINS[args.path]}\n`,
      loader: 'js',
    }));
  },
};

/** What the ESM bundles (the split one and status's) are built with. */
function esmOptions({ quiet, define }) {
  return {
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    banner: { js: banner },
    // koffi is a native addon (Windows, and posix_spawn on Linux): it is loaded from node_modules.
    external: ['koffi'],
    define,
    sourcemap: 'linked',
    metafile: true,
    plugins: [zodEnglishOnly, nodeIpcWithoutTlsUdp, commanderBuiltins],
    logLevel: quiet ? 'error' : 'warning',
  };
}

export async function bundle({ quiet = false } = {}) {
  fs.rmSync(outdir, { recursive: true, force: true });
  const define = { __HEADLESS_BUNDLE__: 'true', __HEADLESS_BUILD_ID__: JSON.stringify(buildId()) };
  const result = await build({
    ...esmOptions({ quiet, define }),
    entryPoints: ENTRIES,
    outdir,
    splitting: true,
    chunkNames: 'chunk-[hash]',
  });
  fs.writeFileSync(path.join(outdir, 'meta.json'), JSON.stringify(result.metafile));
  await statusBundle({ quiet, define });
  await workerSnapshot({ quiet, define });
  return result;
}

/**
 * `headless status` as one file without code splitting (cli/src/status-cli.ts): a chunk shared with
 * the other entries holds the union of what they use, so with splitting status would load all of
 * zod; alone, esbuild's tree-shaking keeps what status's `zod/mini` schemas use. The CLI entry
 * imports it for a `status` argv.
 */
async function statusBundle({ quiet, define }) {
  const result = await build({
    ...esmOptions({ quiet, define }),
    entryPoints: [pkg('cli', 'status-cli.js')],
    outfile: path.join(outdir, 'status.js'),
    // 410 -> 245 KB for Node to read and compile on each start; names are kept, for readable stacks.
    minifyWhitespace: true,
    minifySyntax: true,
  });
  fs.writeFileSync(path.join(outdir, 'meta-status.json'), JSON.stringify(result.metafile));
}

/**
 * The worker's startup snapshot: snapshot-entry.ts as one CommonJS file (Node builds snapshots from a
 * single script), run by `node --build-snapshot-config`, which evaluates its imports and saves the heap
 * to dist/worker.blob. The file names and the stamp are the ones the supervisor checks before it forks a
 * worker from it (supervisor/src/worker-snapshot.ts, imported from its tsc output, built just before). A blob works only with the Node that built it: the stamp names that Node, and
 * the supervisor forks the plain worker.js for any other (or when there is no blob). POSIX only for
 * now, like the worker's spawner. A failed build leaves no blob and says why: the plain fork remains.
 */
async function workerSnapshot({ quiet, define }) {
  if (process.platform === 'win32') return;
  const { SNAPSHOT_FILES, runtimeStamp } = await import(
    pathToFileURL(pkg('supervisor', 'worker-snapshot.js')).href
  );
  const script = path.join(outdir, 'worker-snapshot.cjs');
  await build({
    entryPoints: [pkg('queue-worker', 'snapshot-entry.js')],
    outfile: script,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node22',
    external: ['koffi'],
    // The bundle's own files are found from dist/ (bundledEntry): import.meta.url is this script's.
    define: { ...define, 'import.meta.url': '__headlessScriptUrl' },
    banner: { js: "const __headlessScriptUrl = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [zodEnglishOnly, nodeIpcWithoutTlsUdp],
    logLevel: quiet ? 'error' : 'warning',
  });
  const blob = path.join(outdir, SNAPSHOT_FILES.blob);
  // Without V8's code cache: the blob is 8 instead of 13 MB and the idle worker 5 MB smaller (RSS 77 -> 72,
  // PSS 52 -> 47), and its boot is the same (bench/FINDINGS.md): the functions it runs compile lazily.
  const config = path.join(outdir, 'worker-snapshot.config.json');
  fs.writeFileSync(config, JSON.stringify({ builder: script, withoutCodeCache: true }));
  const made = spawnSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot-config', config], {
    cwd: outdir,
    encoding: 'utf8',
    windowsHide: true,
  });
  if (made.status !== 0 || !fs.existsSync(blob)) {
    fs.rmSync(blob, { force: true });
    process.stderr.write(
      `bundle: no worker snapshot (the worker boots without it): ${made.error?.message ?? made.stderr.trim().split('\n').slice(-3).join(' ')}\n`,
    );
    return;
  }
  // What snapshot-entry.ts says about its warm-up (Node's own warnings about built-ins are left out).
  const said = made.stderr.split('\n').filter((l) => l.startsWith('snapshot:'));
  if (said.length > 0) process.stderr.write(`bundle: ${said.join('\n')}\n`);
  fs.writeFileSync(path.join(outdir, SNAPSHOT_FILES.stamp), `${JSON.stringify(runtimeStamp())}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await bundle();
}
