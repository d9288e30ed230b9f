import fs from 'node:fs/promises';
import path from 'node:path';
import type * as z from 'zod/mini';
import { PoliciesConfig, ToolsConfig } from '@headless/core/config/schema';
import { FolderStore } from '@headless/core/queue/folder-store';
import { readLedger } from '@headless/core/ledger/ledger';
import type { LedgerRecord } from '@headless/core/ledger/record';
import { makeTempRoot } from '@headless/test-support/temp-root';
import { pathWithFakes } from '@headless/test-support/fakes';
import { fakeToolsConfig } from '@headless/test-support/fake-tools';
import { recover } from '@headless/recovery/recover';
import { runWorker, type WorkerOptions, type WorkerSummary } from '../worker.js';

export interface WorkerRoot {
  root: string;
  cleanup: () => Promise<void>;
  tools: ToolsConfig;
  policies: PoliciesConfig;
  env: NodeJS.ProcessEnv;
  store: FolderStore;
  recordFile: string;
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/**
 * A temp root for worker tests: the default tools (fake AI CLIs first on PATH, FAKE_* variables
 * passed through), fast policies, and helpers to drop files and read the outcome.
 */
export async function makeWorkerRoot(
  opts: {
    tools?: (t: z.input<typeof ToolsConfig>) => void;
    policies?: DeepPartial<z.input<typeof PoliciesConfig>>;
    env?: Record<string, string>;
  } = {},
): Promise<WorkerRoot> {
  const { root, cleanup } = await makeTempRoot('headless-worker-');
  const rawTools = fakeToolsConfig();
  opts.tools?.(rawTools);
  const tools = ToolsConfig.parse(rawTools);
  const p = opts.policies ?? {};
  const policies = PoliciesConfig.parse({
    ...p,
    worker: { settleMs: 0, rescanIntervalMs: 200, ...p.worker },
    retry: { baseDelayMs: 50, maxDelayMs: 200, ...p.retry },
    shutdown: { graceSec: 2, ...p.shutdown },
    heartbeat: { intervalSec: 1, ...p.heartbeat },
    // A limit without a printed reset parks the tool for 1 s, then 2 s (not 60 s doubling).
    limits: { jitterSec: 0, backoffBaseSec: 1, backoffMaxSec: 2, ...p.limits },
  });
  const recordFile = path.join(root, 'fake-record.jsonl');
  const env: NodeJS.ProcessEnv = {
    PATH: pathWithFakes(),
    HOME: root,
    FAKE_RECORD: recordFile,
    FAKE_STATE_DIR: path.join(root, 'fake-state'),
    ...opts.env,
  };
  await fs.mkdir(path.join(root, 'fake-state'), { recursive: true });
  const store = new FolderStore(path.join(root, '.tasks'), { fsync: false });
  return { root, cleanup, tools, policies, env, store, recordFile };
}

export interface NotifiedEvent {
  event: string;
  tool?: string;
  task?: string;
  reason?: string;
  until?: string;
  next?: string;
}

/**
 * Points the worker's notify command at a recorder (each event's JSON from stdin, one per line);
 * returns a reader of the events of one kind.
 */
export function recordNotifications(w: WorkerRoot): (event: string) => Promise<NotifiedEvent[]> {
  const file = path.join(w.root, 'notified.jsonl');
  const recorder = `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>require('fs').appendFileSync(${JSON.stringify(file)},s.trim()+'\\n'))`;
  w.policies.notify = {
    ...w.policies.notify,
    command: { argv: [process.execPath, '-e', recorder], timeoutSec: 30 },
  };
  return async (event) =>
    (await fs.readFile(file, 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as NotifiedEvent)
      .filter((e) => e.event === event);
}

/** Writes an inbox file the way `headless enqueue` does: a temp name, then a rename. */
export async function dropTasks(
  root: string,
  name: string,
  lines: readonly (object | string)[],
): Promise<string> {
  const inbox = path.join(root, '.tasks', 'inbox');
  await fs.mkdir(inbox, { recursive: true });
  const text = lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';
  const file = path.join(inbox, name);
  await fs.writeFile(`${file}.tmp`, text);
  await fs.rename(`${file}.tmp`, file);
  return file;
}

export function runUntilIdle(w: WorkerRoot, extra: Partial<WorkerOptions> = {}): Promise<WorkerSummary> {
  return runWorker({
    root: w.root,
    tools: w.tools,
    policies: w.policies,
    env: w.env,
    fsync: false,
    untilIdle: true,
    recover: (root) => recover({ root, policies: w.policies, fsync: false }),
    ...extra,
  });
}

export async function stateOf(w: WorkerRoot, id: string): Promise<string | undefined> {
  return (await w.store.get(id))?.state;
}

export async function ledgerOf(w: WorkerRoot, task?: string): Promise<LedgerRecord[]> {
  return (
    await readLedger(path.join(w.root, 'logs', 'ledger.jsonl'), task ? (r) => r.task === task : undefined)
  ).records;
}

export interface FakeCall {
  tool: string;
  argv: string[];
  cwd: string;
  pid: number;
  env: Record<string, string>;
  envNames: string[];
  stdin?: string;
}

export async function fakeCalls(w: WorkerRoot): Promise<FakeCall[]> {
  try {
    const text = await fs.readFile(w.recordFile, 'utf8');
    return text
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as FakeCall);
  } catch {
    return [];
  }
}
