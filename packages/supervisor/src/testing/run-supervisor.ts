import fs from 'node:fs';
import { runSupervisor, type SupervisorOptions } from '../supervisor.js';

/**
 * Runs a supervisor as its own process for tests: argv[2] is JSON with root, entries, timing and
 * components. Recovery is replaced by a line appended to <root>/recovery-calls.log, so tests can
 * see it ran before each worker boot without needing the recovery package.
 */
const input = JSON.parse(process.argv[2] ?? '{}') as Pick<
  SupervisorOptions,
  'root' | 'entries' | 'timing' | 'components'
>;
process.exitCode = await runSupervisor({
  ...input,
  foreground: false,
  beforeWorkerBoot: (root) => {
    fs.appendFileSync(`${root}/recovery-calls.log`, `${new Date().toISOString()}\n`);
    return Promise.resolve();
  },
});
