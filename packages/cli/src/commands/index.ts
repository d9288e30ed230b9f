import type { Command } from 'commander';
import * as init from './init.js';
import * as doctor from './doctor.js';
import * as enqueue from './enqueue.js';
import * as worker from './worker.js';
import * as runUntilIdle from './run.js';
import * as status from './status.js';
import * as logs from './logs.js';
import * as ledger from './ledger.js';
import * as show from './show.js';
import * as report from './report.js';
import * as clean from './clean.js';
import * as retry from './retry.js';
import * as cancel from './cancel.js';
import * as recover from './recover.js';
import * as start from './start.js';
import * as stop from './stop.js';
import * as service from './service.js';
import * as quality from './quality.js';

export interface CommandModule {
  register(program: Command): void;
}

/** Every `headless` command, in the order `--help` lists them. One module per command. */
export const commandModules: readonly CommandModule[] = [
  start,
  stop,
  status,
  show,
  report,
  enqueue,
  worker,
  runUntilIdle,
  logs,
  ledger,
  retry,
  cancel,
  recover,
  clean,
  service,
  quality,
  init,
  doctor,
];
