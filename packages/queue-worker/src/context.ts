import type { RunnerKind } from '@headless/core/process/worker-runner';
import type { PoliciesConfig, ToolsConfig } from '@headless/core/config/schema';
import type { RootLayout } from '@headless/core/paths';
import type { Clock } from '@headless/core/clock';
import type { ProcessRunner } from '@headless/core/process/types';
import type { QueueStore } from '@headless/core/queue/store';
import type { Transitions } from '@headless/core/queue/transitions';
import type { Ledger } from '@headless/core/ledger/ledger';
import type { BreakerRegistry } from '@headless/core/policy/breaker-registry';
import type { SupervisorLink } from '@headless/core/ipc/client';
import type { TaskRecord } from '@headless/core/task/record';
import type { RunningTask } from './scheduler.js';
import type { Waker } from './waker.js';
import type { ClaimGate } from './claim-gate.js';
import type { WorkerLogger } from './logger.js';
import type { Notifier } from '@headless/core/notify/notifier';
import type { BatchTracker } from '@headless/core/notify/task-events';
import type { ToolParkBook } from './tool-parks.js';
import type { SpendBook } from './spend.js';

export interface WorkerSummary {
  started: number;
  finished: Record<string, number>;
  stoppedBy: 'stop-file' | 'signal' | 'idle' | 'link-lost';
  /** `headless run`: tasks left waiting past its --max-wait, and for what. */
  waiting?: { id: string; until?: string; reason?: string }[];
}

/** One running attempt, as the worker tracks it. */
export interface Running extends RunningTask {
  rec: TaskRecord;
  abort: AbortController;
  abortReason?: 'stop' | 'cancel';
  pid?: number;
  /** The tool's start time (clock ticks on Linux), taken at spawn. */
  pidStart?: string;
  attempt: number;
  startedAt: string;
  done: Promise<void>;
  /** The state the task ended in, once its attempt ended. */
  ended?: string;
  /**
   * The tool's tree, the repo work and the gate are over; only the end's store is left. The task
   * no longer holds a slot: the next claim and spawn go ahead while that store's flushes run.
   */
  slotFree?: boolean;
}

/** Claiming paused (a store change keeps failing, a run could not be carried through). */
export interface ClaimPause {
  until: number;
  reason?: string;
}

/** What every room of the worker shares: built once at boot by `runWorker`. */
export interface WorkerContext {
  paths: RootLayout;
  tools: ToolsConfig;
  policies: PoliciesConfig;
  clock: Clock;
  log: WorkerLogger;
  runner: ProcessRunner;
  /** Who starts the tools (the worker's start line says it): see core/process/worker-runner.ts. */
  runnerKind: RunnerKind | 'injected';
  parentEnv: NodeJS.ProcessEnv;
  store: QueueStore;
  transitions: Transitions;
  ledger: Ledger;
  registry: BreakerRegistry;
  redact: (s: string) => string;
  link: SupervisorLink | null;
  running: Map<string, Running>;
  summary: WorkerSummary;
  waker: Waker;
  pause: ClaimPause;
  /** Claiming pauses below `disk.minFreeMb` free and while writes fail. */
  gate: ClaimGate;
  /** Aborted when the worker stops: store retries give up then. */
  stopping: AbortController;
  workerStart?: string;
  /** `headless stop --drain` asked: running attempts finish, nothing new is claimed. */
  draining?: boolean;
  /** Sends task.failed, task.attention and batch.done off the worker's path (policies.notify). */
  notifier: Notifier;
  /** Inbox files' tasks until their batch.done (kept in .tasks/run/batches.json, see batches.ts). */
  batches: BatchTracker & { flushed(): Promise<void> };
  /** config/ was changed to something invalid: the message, while the running config stays. */
  configRefused?: string;
  /** Tools parked by a usage limit, a failed login or a spent budget (persisted). */
  parks: ToolParkBook;
  /** Spend so far this month, for the budget gate. */
  spend: SpendBook;
  /** A task the breaker refused went to quarantine (the parked room releases it later). */
  noteParked: (id: string, tool: string) => void;
  /**
   * Whether a stored end needs one more loop pass, when freeing the task's slot woke one already
   * (runLoop sets it): the task is back in the queue or parked, a dependent may be released or
   * fail, `headless run` checks for idle. A `done` or `failed` task with none of these needs none.
   */
  passAfterEnd: (ended: string | undefined) => boolean;
}

export function count(ctx: WorkerContext, k: string): void {
  ctx.summary.finished[k] = (ctx.summary.finished[k] ?? 0) + 1;
}
