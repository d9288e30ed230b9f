// The worker's startup snapshot (scripts/bundle.mjs builds it into dist/worker.blob with
// `node --build-snapshot-config`): building it evaluates every module main.js imports, so a worker forked
// with `--snapshot-blob` starts with them loaded (~75 ms less boot on the bench box: bench/FINDINGS.md).
// Nothing may run at load but module definitions and the pure warm-up: the process that loads this is the build.
import v8 from 'node:v8';
import { bootMark } from '@headless/core/boot-trace';
// node-ipc, which the worker's link to the supervisor loads lazily (~40 ms at boot), is evaluated in
// the build too. Only its classes are used at run time: client.ts makes its instance, and its config, then.
import { IPCModule } from '@headless/core/ipc/ipc-module';
import { runWorkerChild } from './child-run.js';
import { runWorkerProcess } from './main.js';
import { warmSchemas } from './snapshot-warm.js';

if (v8.startupSnapshot.isBuildingSnapshot()) {
  const cold = warmSchemas();
  // The build's output: scripts/bundle.mjs shows it (a sample that no longer parses is a slower boot, not a broken one).
  if (cold.length > 0) process.stderr.write(`snapshot: samples that did not parse: ${cold.join(', ')}\n`);
  if (typeof IPCModule !== 'function') throw new Error('snapshot: node-ipc did not load');
}

v8.startupSnapshot.setDeserializeMainFunction(() => {
  bootMark('entry');
  void runWorkerChild(() => Promise.resolve(runWorkerProcess));
});
