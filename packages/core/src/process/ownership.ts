/**
 * Process ownership, the one module the runner, recovery and the supervisor use to decide whether
 * a pid is still the process they started and to end a process tree:
 * - identity: pid + start time (identity.ts: /proc on Linux, GetProcessTimes on Windows,
 *   `ps -o lstart=` on macOS);
 * - the tree kill (kill-tree.ts: process group + captured pids + tree-kill's parent walk on POSIX,
 *   the attempt's Job Object with taskkill as the fallback on Windows);
 * - the signal rule "never ourselves, never our own group" (signal.ts);
 * - the one /proc reader (proc-stat.ts) and the process table (process-table.ts).
 */
export { isAlive, isSameProcess, parentPid, parseLstart, processStartTime } from './identity.js';
export {
  killGroupNow,
  killProcessNow,
  killTree,
  taskkillArgs,
  taskkillPath,
  type KillTreeOptions,
  type KillTreeResult,
} from './kill-tree.js';
export {
  descendantsFromLinks,
  groupHasMembers,
  listDescendants,
  listGroupMembers,
  readProcessTable,
} from './process-table.js';
export { mayTarget, ownProcessGroup, signalGroup, signalProcess } from './signal.js';
export { hasProcfs, readProcEnvironSync, readProcStatSync, type ProcStat } from './proc-stat.js';
export {
  containmentFor,
  createAttemptJob,
  type AttemptJob,
  type Containment,
} from '../windows/job-object.js';
