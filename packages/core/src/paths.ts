import path from 'node:path';

/**
 * Every place headless reads or writes under one root folder. Nothing else hard-codes a path under
 * the root; the task-state folders inside `tasksDir` belong to the folder store alone.
 */
export interface RootLayout {
  readonly root: string;
  readonly configDir: string;
  readonly toolsConfig: string;
  readonly policiesConfig: string;
  /** The folder store's own tree (state folders, archive, rejected lines); nobody else builds paths in it. */
  readonly tasksDir: string;
  readonly inbox: string;
  /** Inbox files that could not be read as task files (symlinks, too big, ...), kept for the user. */
  readonly refusedFilesDir: string;
  /** Inbox files already read, kept for `logs.retentionDays` (recovery rebuilds torn records from them). */
  readonly ingestedDir: string;
  readonly logsDir: string;
  readonly ledger: string;
  readonly stopFile: string;
  /** Runtime state that is not a task: heartbeat, breaker state, locks, requests, sockets. */
  readonly runDir: string;
  readonly workerLock: string;
  readonly supervisorLock: string;
  /** The worker's heartbeat (`worker.json`). */
  readonly workerHeartbeat: string;
  readonly supervisorState: string;
  /** The last config the CLI validated, keyed by the config files' texts (config/cache.ts). */
  readonly configCache: string;
  /** The worker's persisted breakers. */
  readonly breakers: string;
  /** The orchestrator loops' persisted breakers (same registry, its own file: one writer per file). */
  readonly loopBreakers: string;
  /** Breaker resets asked for by the user: read by every process that holds breakers. */
  readonly breakerResets: string;
  /** Tools parked by a usage limit, a failed login or a spent budget (`run-state/tool-parks.ts`). */
  readonly toolParks: string;
  /** Spend today and this month, as the worker counts it (`run-state/spend-file.ts`). */
  readonly spend: string;
  /** The tasks of each inbox file whose batch.done is still to come (`run-state/batches-file.ts`). */
  readonly batches: string;
  readonly loopsState: string;
  /** Requests from the CLI to the worker (retry, cancel, reset-breaker) and the worker's answers. */
  readonly requestsDir: string;
  readonly responsesDir: string;
  /** `headless stop --drain`: claim nothing new until the stop. */
  readonly drainRequest: string;
  /** Up to where the ledger is known to hold every line the task records name. */
  readonly ledgerCheckpoint: string;
  /** Per-attempt scratch folders (prompt files). */
  readonly scratchDir: string;
  readonly loopScratchDir: string;
}

/** The root: an explicit `--root`, else `HEADLESS_ROOT`, else the current folder. */
export function resolveRoot(
  explicit?: string,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): string {
  const chosen = explicit ?? env['HEADLESS_ROOT'] ?? cwd;
  return path.resolve(cwd, chosen);
}

/**
 * The run folder under a root, as parts: for pure planners that join paths with another platform's
 * rules (a Windows task plan, a socket path) and cannot use `layout`.
 */
export const RUN_DIR_PARTS = ['.tasks', 'run'] as const;

/** The claim gate's state file in the run folder (the worker writes it, `status` reads it). */
export const CLAIM_GATE_FILE = 'claim-gate.json';

export function layout(root: string): RootLayout {
  const abs = path.resolve(root);
  const configDir = path.join(abs, 'config');
  const tasksDir = path.join(abs, '.tasks');
  const logsDir = path.join(abs, 'logs');
  const runDir = path.join(abs, ...RUN_DIR_PARTS);
  return {
    root: abs,
    configDir,
    toolsConfig: path.join(configDir, 'tools.json'),
    policiesConfig: path.join(configDir, 'policies.json'),
    tasksDir,
    inbox: path.join(tasksDir, 'inbox'),
    ingestedDir: path.join(tasksDir, 'ingested'),
    refusedFilesDir: path.join(tasksDir, 'quarantine', 'files'),
    logsDir,
    ledger: path.join(logsDir, 'ledger.jsonl'),
    stopFile: path.join(abs, 'STOP.HEADLESS'),
    runDir,
    workerLock: path.join(runDir, 'worker.lock'),
    supervisorLock: path.join(runDir, 'supervisor.lock'),
    workerHeartbeat: path.join(runDir, 'worker.json'),
    supervisorState: path.join(runDir, 'supervisor.json'),
    breakers: path.join(runDir, 'breakers.json'),
    loopBreakers: path.join(runDir, 'loop-breakers.json'),
    breakerResets: path.join(runDir, 'breaker-resets.json'),
    toolParks: path.join(runDir, 'tool-parks.json'),
    spend: path.join(runDir, 'spend.json'),
    configCache: path.join(runDir, 'config-cache.json'),
    batches: path.join(runDir, 'batches.json'),
    loopsState: path.join(runDir, 'loops.json'),
    requestsDir: path.join(runDir, 'requests'),
    responsesDir: path.join(runDir, 'responses'),
    ledgerCheckpoint: path.join(runDir, 'ledger-checkpoint.json'),
    drainRequest: path.join(runDir, 'drain.json'),
    scratchDir: path.join(runDir, 'scratch'),
    loopScratchDir: path.join(runDir, 'loop-scratch'),
  };
}
