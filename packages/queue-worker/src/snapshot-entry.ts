// The worker's startup snapshot (scripts/bundle.mjs builds it into dist/worker.blob with
// `node --build-snapshot-config`): building it evaluates every module main.js imports, so a worker forked
// with `--snapshot-blob` starts with them loaded (~75 ms less boot on the bench box: bench/FINDINGS.md).
// Nothing may run at load but module definitions: the process that loads this is the build.
import v8 from 'node:v8';
import { bootMark } from '@headless/core/boot-trace';
import { runWorkerChild } from './child-run.js';
import { runWorkerProcess } from './main.js';

v8.startupSnapshot.setDeserializeMainFunction(() => {
  bootMark('entry');
  void runWorkerChild(() => Promise.resolve(runWorkerProcess));
});
