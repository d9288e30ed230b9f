import fs from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod/mini';
import { writeFileAtomic } from '@headless/core/fs/atomic';
import { layout } from '@headless/core/paths';
import { parseState } from '@headless/core/run-state/state-file';
import type { ChildEventPayload, Component, RunningTask } from '@headless/core/ipc/events';

/** `.tasks/run/supervisor.json`: the tree as the supervisor sees it; `headless status` reads it. */
export type ChildRunState = 'starting' | 'running' | 'backoff' | 'crash-looping' | 'stopped';

export interface ChildExit {
  code: number | null;
  signal: string | null;
  at: string;
}

export type LoopResult = ChildEventPayload['loop-result'];

export interface ChildStatus {
  pid: number | null;
  state: ChildRunState;
  startedAt: string | null;
  /** Restarts since the supervisor started. */
  restarts: number;
  lastHeartbeatAt: string | null;
  lastExit: ChildExit | null;
  nextRestartAt?: string;
  /** Why the child is in its state (crash-looping, stale heartbeat, missing entry). */
  reason?: string;
  /** The orchestrator's last result per loop name. */
  loops?: Record<string, LoopResult>;
}

export interface RunningTaskStatus extends RunningTask {
  component: Component;
}

export interface SupervisorState {
  pid: number;
  startedAt: string;
  root: string;
  updatedAt: string;
  /** 'stopping' once a shutdown began; 'stopped' is the last word of a clean stop. */
  phase: 'running' | 'stopping' | 'stopped';
  children: Record<Component, ChildStatus>;
  runningTasks: RunningTaskStatus[];
}

const ChildStatusSchema = z.looseObject({
  pid: z.nullable(z.number().check(z.int())),
  state: z.enum(['starting', 'running', 'backoff', 'crash-looping', 'stopped']),
  startedAt: z.nullable(z.string()),
  restarts: z.number().check(z.int()),
  lastHeartbeatAt: z.nullable(z.string()),
  lastExit: z.nullable(
    z.looseObject({ code: z.nullable(z.number()), signal: z.nullable(z.string()), at: z.string() }),
  ),
});

export const SupervisorStateSchema = z.looseObject({
  pid: z.number().check(z.int(), z.positive()),
  startedAt: z.string(),
  root: z.string(),
  updatedAt: z.string(),
  phase: z.enum(['running', 'stopping', 'stopped']),
  children: z.record(z.string(), ChildStatusSchema),
  runningTasks: z.array(z.looseObject({ id: z.string(), component: z.string() })),
});

export function stateFile(runDir: string): string {
  return layoutOf(runDir).supervisorState;
}

// The run folder's root layout (the file names are layout's, not this module's).
function layoutOf(runDir: string) {
  return layout(path.dirname(path.dirname(runDir)));
}

/** Atomic replace: readers see the old file or the new one, never half of one. */
export async function writeStateFile(file: string, state: SupervisorState): Promise<void> {
  // Rewritten every second: a flush per write buys nothing, the next write replaces it anyway.
  await writeFileAtomic(file, JSON.stringify(state, null, 2) + '\n', { fsync: false });
}

export async function readStateFile(file: string): Promise<SupervisorState | undefined> {
  try {
    return parseState(
      file,
      await fs.readFile(file, 'utf8'),
      SupervisorStateSchema,
    ) as unknown as SupervisorState;
  } catch {
    return undefined;
  }
}

export interface StateWriter {
  /** Something changed: write soon (at most once per interval). */
  mark(): void;
  /** Write now and wait for it. */
  flush(): Promise<void>;
  close(): void;
}

/**
 * Throttles writes to one per `minIntervalMs`: heartbeats from two children and a burst of task
 * events must not turn into a write storm.
 */
export function createStateWriter(
  file: string,
  snapshot: () => SupervisorState,
  /** The first failure of an outage, then `undefined` once a write works again. */
  onError: (err: unknown) => void,
  minIntervalMs = 1000,
): StateWriter {
  let timer: NodeJS.Timeout | undefined;
  let lastWrite = 0;
  let chain: Promise<void> = Promise.resolve();
  // Said once per outage (a full disk fails this every second), and once more when it works again.
  let failing = false;
  const write = (): Promise<void> => {
    lastWrite = Date.now();
    chain = chain
      .then(() => writeStateFile(file, snapshot()))
      .then(
        () => {
          if (failing) onError(undefined);
          failing = false;
        },
        (err: unknown) => {
          if (!failing) onError(err);
          failing = true;
        },
      );
    return chain;
  };
  return {
    mark() {
      if (timer) return;
      const wait = Math.max(0, lastWrite + minIntervalMs - Date.now());
      timer = setTimeout(() => {
        timer = undefined;
        void write();
      }, wait);
      timer.unref();
    },
    flush() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      return write();
    },
    close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** A child that is not running and never ran. */
export function stoppedChild(): ChildStatus {
  return { pid: null, state: 'stopped', startedAt: null, restarts: 0, lastHeartbeatAt: null, lastExit: null };
}
