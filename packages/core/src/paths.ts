import path from 'node:path';

/** Every place headless reads or writes under one root folder. Nothing else hard-codes a path. */
export interface RootLayout {
  readonly root: string;
  readonly configDir: string;
  readonly toolsConfig: string;
  readonly policiesConfig: string;
  readonly tasksDir: string;
  readonly inbox: string;
  readonly logsDir: string;
  readonly ledger: string;
  readonly stopFile: string;
  /** Runtime state that is not a task: heartbeat, breaker state, pid files, sockets. */
  readonly runDir: string;
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

export function layout(root: string): RootLayout {
  const abs = path.resolve(root);
  const configDir = path.join(abs, 'config');
  const tasksDir = path.join(abs, '.tasks');
  const logsDir = path.join(abs, 'logs');
  return {
    root: abs,
    configDir,
    toolsConfig: path.join(configDir, 'tools.json'),
    policiesConfig: path.join(configDir, 'policies.json'),
    tasksDir,
    inbox: path.join(tasksDir, 'inbox'),
    logsDir,
    ledger: path.join(logsDir, 'ledger.jsonl'),
    stopFile: path.join(abs, 'STOP.HEADLESS'),
    runDir: path.join(tasksDir, 'run'),
  };
}
