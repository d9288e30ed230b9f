import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@headless/test-support/wait-for';
import type { SupervisorState } from '../state-file.js';
import type { Timing } from '../timing.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const FAKE_WORKER = path.join(here, 'fake-worker.js');
export const FAKE_ORCHESTRATOR = path.join(here, 'fake-orchestrator.js');
const RUNNER = path.join(here, 'run-supervisor.js');

export interface RunningSupervisor {
  proc: ChildProcess;
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  output: () => string;
  state: () => SupervisorState | undefined;
  log: (component?: string) => LogRecord[];
}

export interface LogRecord {
  level: string;
  message: string;
  timestamp: string;
  [key: string]: unknown;
}

/**
 * Starts a real supervisor process on `root` with fake children (entries injectable, so the same
 * tests can run the real worker and orchestrator later).
 */
export function startSupervisor(
  root: string,
  opts: {
    timing?: Partial<Timing>;
    entries?: { worker?: string; orchestrator?: string };
    components?: ('worker' | 'orchestrator')[];
    env?: NodeJS.ProcessEnv;
  } = {},
): RunningSupervisor {
  const input = {
    root,
    entries: opts.entries ?? { worker: FAKE_WORKER, orchestrator: FAKE_ORCHESTRATOR },
    components: opts.components,
    timing: opts.timing,
  };
  const proc = spawn(process.execPath, [RUNNER, JSON.stringify(input)], {
    env: { ...process.env, FAKE_STATE_DIR: root, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  if (proc.pid === undefined) throw new Error('could not start the supervisor');
  const stateFile = path.join(root, '.tasks', 'run', 'supervisor.json');
  return {
    proc,
    pid: proc.pid,
    exited,
    output: () => out,
    state: () => {
      try {
        return JSON.parse(fs.readFileSync(stateFile, 'utf8')) as SupervisorState;
      } catch {
        return undefined;
      }
    },
    log: (component = 'supervisor') => readLog(root, component),
  };
}

/** The records of logs/<component>-YYYY-MM-DD[.N].log, oldest file first. */
export function readLog(root: string, component: string): LogRecord[] {
  const dir = path.join(root, 'logs');
  const pattern = new RegExp(`^${component.replace(/\./g, '\\.')}-\\d{4}-\\d{2}-\\d{2}(\\.\\d+)?\\.log$`);
  try {
    return fs
      .readdirSync(dir)
      .filter((f) => pattern.test(f))
      .sort()
      .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
      .join('\n')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as LogRecord);
  } catch {
    return [];
  }
}

/** What the fake children wrote about themselves: their pids and their tools' pids. */
export function fakeChildren(root: string): { component: string; pid: number; toolPid?: number }[] {
  return fs
    .readdirSync(root)
    .filter((f) => /^(worker|orchestrator)-\d+\.json$/.test(f))
    .map((f) => ({
      component: f.split('-')[0] ?? '',
      ...(JSON.parse(fs.readFileSync(path.join(root, f), 'utf8')) as { pid: number; toolPid?: number }),
    }));
}

export async function waitForState(
  sup: RunningSupervisor,
  what: string,
  check: (s: SupervisorState) => boolean,
  timeoutMs = 10_000,
): Promise<SupervisorState> {
  return waitFor(
    what,
    () => {
      const s = sup.state();
      return s !== undefined && check(s) ? s : undefined;
    },
    timeoutMs,
  );
}

export async function waitForLog(
  sup: RunningSupervisor,
  what: string,
  match: (r: LogRecord) => boolean,
  component = 'supervisor',
  timeoutMs = 10_000,
): Promise<LogRecord> {
  return waitFor(what, () => sup.log(component).find(match), timeoutMs);
}
