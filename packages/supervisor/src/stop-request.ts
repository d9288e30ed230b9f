import fs from 'node:fs/promises';
import { loadConfig } from '@headless/core/config/load';
import { HeadlessError } from '@headless/core/errors/headless-error';
import type { RootLayout } from '@headless/core/paths';
import { isAlive } from '@headless/core/process/alive';
import { lockIsLive, readLock } from './lock.js';
import { readStateFile, stateFile, type SupervisorState } from './state-file.js';

export type StopResult =
  | { kind: 'not-running'; staleLockPid?: number }
  | {
      kind: 'stopped';
      pid: number;
      tookMs: number;
      before: SupervisorState | undefined;
      after: SupervisorState | undefined;
    };

export class SupervisorDidNotStop extends HeadlessError {
  constructor(pid: number, waitedSec: number) {
    super(
      `the supervisor (pid ${pid}) did not stop within ${waitedSec} s; it may still be stopping its children. ` +
        `Check with "headless status", wait longer with "headless stop --timeout <s>", or end it with "kill ${pid}".`,
    );
  }
}

/**
 * `headless stop`: writes STOP.HEADLESS and waits for the supervisor's pid to exit. When no
 * supervisor runs it writes nothing: a STOP file would otherwise linger and stop the next
 * `headless worker` run at once (a standalone worker is stopped with Ctrl+C, SIGTERM, or by
 * creating STOP.HEADLESS yourself).
 */
export async function requestStop(
  layout: RootLayout,
  opts: { timeoutSec?: number; pollMs?: number } = {},
): Promise<StopResult> {
  const lock = await readLock(layout.supervisorLock);
  if (!lock || !lockIsLive(lock))
    return lock ? { kind: 'not-running', staleLockPid: lock.pid } : { kind: 'not-running' };
  let graceSec = 10;
  try {
    graceSec = (await loadConfig(layout)).policies.shutdown.graceSec;
  } catch {
    // A broken config must not prevent a stop; the supervisor read its config at start.
  }
  const timeoutSec = opts.timeoutSec ?? graceSec + 5;
  const before = await readStateFile(stateFile(layout.runDir));
  const t0 = Date.now();
  await fs.writeFile(
    layout.stopFile,
    `stop requested by pid ${process.pid} at ${new Date(t0).toISOString()}\n`,
  );
  const deadline = t0 + timeoutSec * 1000;
  while (isAlive(lock.pid)) {
    if (Date.now() > deadline) throw new SupervisorDidNotStop(lock.pid, timeoutSec);
    await new Promise((resolve) => setTimeout(resolve, opts.pollMs ?? 100));
  }
  const after = await readStateFile(stateFile(layout.runDir));
  return { kind: 'stopped', pid: lock.pid, tookMs: Date.now() - t0, before, after };
}

/** The lines `headless stop` prints. */
export function describeStop(result: StopResult, root: string): string[] {
  if (result.kind === 'not-running') {
    return [
      `no supervisor runs on ${root}${result.staleLockPid ? ` (a stale lock of pid ${result.staleLockPid} is left; the next start takes it over)` : ''}.`,
    ];
  }
  const lines = [
    `stopped the supervisor (pid ${result.pid}) on ${root} in ${(result.tookMs / 1000).toFixed(1)} s`,
  ];
  const children = result.before?.children;
  if (children) {
    for (const [name, child] of Object.entries(children)) {
      lines.push(`  ${name}: ${child.pid ? `pid ${child.pid}, was ${child.state}` : child.state}`);
    }
    const tasks = result.before?.runningTasks ?? [];
    if (tasks.length > 0) {
      lines.push(
        `  ${tasks.length} running task(s) interrupted: ${tasks.map((t) => t.id).join(', ')} (they are recovered at the next start)`,
      );
    }
  }
  if (result.after && result.after.phase !== 'stopped')
    lines.push('  warning: the supervisor did not record a clean stop; see logs/supervisor-<date>.log');
  return lines;
}
