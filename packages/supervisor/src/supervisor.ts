import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import type winston from 'winston';
import { loadConfig, type LoadedConfig } from '@headless/core/config/load';
import type { PoliciesConfig } from '@headless/core/config/schema';
import { COMPONENTS, IPC_ENV, type Component } from '@headless/core/ipc/events';
import { startIpcServer, type IpcServer } from '@headless/core/ipc/server';
import { planSocket } from '@headless/core/ipc/socket-path';
import { layout as layoutOf } from '@headless/core/paths';
import { ChildSlot } from './child-slot.js';
import { resolveChildEntry } from './entries.js';
import { acquireLock, type HeldLock } from './lock.js';
import { closeLogger, createConsoleLogger, createLogger } from '@headless/core/log/logger';
import type { BeforeWorkerBoot } from './recovery-hook.js';
import {
  createStateWriter,
  stateFile,
  stoppedChild,
  writeStateFile,
  type SupervisorState,
} from './state-file.js';
import { watchStopFile } from './stop-file.js';
import { timingFromPolicies, type Timing } from './timing.js';
import { Watchdog } from './watchdog.js';
import { RestartWhenWritable } from './restart-when-writable.js';
import { startOnDemand } from './on-demand.js';
import { startHeapRelease } from '@headless/core/memory/heap-release';
import { childMallocEnv } from './child-flags.js';

export interface SupervisorOptions {
  root: string;
  /** Human summary lines and child output on the console too. */
  foreground: boolean;
  /** Which components to run (both by default). */
  components?: readonly Component[];
  /** Scripts to fork; default resolveChildEntry (env overrides, then the packages' dist/child.js). */
  entries?: Partial<Record<Component, string>>;
  /** Shorter durations for tests; default from config/policies.json. */
  timing?: Partial<Timing>;
  /** Runs before every worker (re)boot (tests); recovery itself runs inside the worker, under its lock. */
  beforeWorkerBoot?: BeforeWorkerBoot;
  env?: NodeJS.ProcessEnv;
  /** Called once the tree is up (tests, `headless start` messages). */
  onReady?: (info: { socketPath: string; pid: number }) => void;
}

type StopReason = 'STOP.HEADLESS' | 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/**
 * `headless start`: holds the root's lock, forks the worker (which runs recovery under its lock) and the orchestrator,
 * keeps them alive and stops them all on STOP.HEADLESS or a signal. Resolves with the exit code
 * once everything is down.
 */
export async function runSupervisor(opts: SupervisorOptions): Promise<number> {
  const layout = layoutOf(opts.root);
  const env = opts.env ?? process.env;
  // A bad config fails here, before the lock, with the ConfigError's message and exit code 2.
  const config = await loadConfig(layout);
  const { policies } = config;
  const timing = timingFromPolicies(policies, opts.timing);
  const lock = await acquireLock(layout.supervisorLock, layout.root);
  const log = createLogger({
    layout,
    component: 'supervisor',
    console: opts.foreground,
    level: policies.logs.level,
  });
  try {
    return await supervise({ ...opts, env, config }, layout, timing, lock, log, policies.logs);
  } finally {
    await lock.release();
    await closeLogger(log);
  }
}

async function supervise(
  opts: SupervisorOptions & { env: NodeJS.ProcessEnv; config: LoadedConfig },
  layout: ReturnType<typeof layoutOf>,
  timing: Timing,
  lock: HeldLock,
  log: winston.Logger,
  logsPolicy: PoliciesConfig['logs'],
): Promise<number> {
  if (lock.takenOver) {
    log.warn(`took over a stale supervisor lock: ${lock.takenOver}`);
  }
  if (await removeIfPresent(layout.stopFile)) log.warn('removed STOP.HEADLESS left from an earlier stop');

  const token = randomBytes(24).toString('hex');
  const plan = planSocket({
    root: layout.root,
    platform: process.platform,
    uid: process.getuid?.(),
    tmpdir: os.tmpdir(),
    randomSuffix: randomBytes(6).toString('hex'),
  });
  const slots = new Map<Component, ChildSlot>();
  const ipc: IpcServer = await startIpcServer({
    path: plan.path,
    socketRoot: plan.socketRoot,
    token,
    authTimeoutMs: timing.authTimeoutMs,
    onEvent: (component, event, payload) => slots.get(component)?.handle(event, payload),
    onRefused: (reason) => log.warn(`ipc: refused: ${reason}`),
    authorize: (component, pid) => slots.get(component)?.pid === pid,
    onAuthenticated: (component, pid) => log.debug(`ipc: ${component} (pid ${pid}) connected`),
  });

  const startedAt = new Date(lock.info.startedAt);
  let phase: SupervisorState['phase'] = 'running';
  const snapshot = (): SupervisorState => snapshotOf(slots, { startedAt, root: layout.root, phase });
  const file = stateFile(layout.runDir);
  const writer = createStateWriter(file, snapshot, (err) =>
    err === undefined
      ? log.info(`${file} is written again`)
      : log.warn(
          `cannot write ${file}: ${err instanceof Error ? err.message : JSON.stringify(err)}; retrying at every change`,
        ),
  );

  const childEnv = childEnvOf(opts.env, plan.path, token, timing);
  const childLoggers = forkSlots(slots, { opts, layout, timing, log, logsPolicy, childEnv, writer });

  const stop = stopRequests(layout.stopFile, timing.stopPollMs);
  const restartWhenWritable = new RestartWhenWritable({
    dir: layout.runDir,
    slots: () => [...slots.values()],
    say: (m) => log.warn(m),
  });
  const watchdog = new Watchdog({
    intervalMs: timing.watchdogTickMs,
    onTick: () => {
      for (const slot of slots.values()) slot.checkHeartbeat();
      restartWhenWritable.check();
    },
    onJump: (lateMs) => {
      log.warn(
        `the supervisor did not run for ${(lateMs / 1000).toFixed(1)} s (the machine slept or the tree was stopped): every child gets a fresh ${timing.staleAfterMs / 1000} s before its heartbeat is judged`,
      );
      for (const slot of slots.values()) slot.grantFreshDeadline();
    },
  });
  watchdog.start();
  // The heap a burst of tasks grew (two messages each) goes back once none runs; needs --expose-gc.
  const stopReleasing = startHeapRelease({ busy: () => [...slots.values()].some((s) => s.tasks.size > 0) });

  log.info(`supervisor started on ${layout.root} (pid ${process.pid})`);
  // The orchestrator is forked only once a loop is enabled (at start or by a config change).
  const onDemand = startOnDemand({ layout, config: opts.config, slots: slots.values(), log, writer });
  await writer.flush();
  opts.onReady?.({ socketPath: plan.path, pid: process.pid });

  const reason = await stop.requested;
  log.info(`stopping (${reason}); children get ${timing.graceMs} ms`);
  phase = 'stopping';
  watchdog.stop();
  stopReleasing();
  onDemand.close();
  stop.unwatchFile();
  writer.mark();
  await Promise.all(
    [...slots.values()].map((slot) =>
      slot.stop(timing.graceMs, () =>
        ipc.send(slot.component, 'shutdown', { graceMs: timing.graceMs, reason }),
      ),
    ),
  );
  stop.unwatchSignals();
  ipc.close();
  writer.close();
  phase = 'stopped';
  await writeStateFile(file, snapshot());
  await removeIfPresent(layout.stopFile);
  await Promise.all(childLoggers.splice(0).map((l) => closeLogger(l)));
  log.info('supervisor stopped');
  return 0;
}

/** What `supervisor.json` says: each child's slot, the tasks they run. */
function snapshotOf(
  slots: ReadonlyMap<Component, ChildSlot>,
  at: { startedAt: Date; root: string; phase: SupervisorState['phase'] },
): SupervisorState {
  const children = {} as SupervisorState['children'];
  const runningTasks: SupervisorState['runningTasks'] = [];
  for (const component of COMPONENTS) {
    const slot = slots.get(component);
    children[component] = slot ? { ...slot.status } : { ...stoppedChild(), reason: 'not run' };
    for (const task of slot?.tasks.values() ?? []) runningTasks.push({ ...task, component });
  }
  return {
    pid: process.pid,
    startedAt: at.startedAt.toISOString(),
    root: at.root,
    updatedAt: new Date().toISOString(),
    phase: at.phase,
    children,
    runningTasks,
  };
}

/** One slot per component, each with the logger of what its child prints; returns those loggers. */
function forkSlots(
  slots: Map<Component, ChildSlot>,
  c: {
    opts: SupervisorOptions & { env: NodeJS.ProcessEnv };
    layout: ReturnType<typeof layoutOf>;
    timing: Timing;
    log: winston.Logger;
    logsPolicy: PoliciesConfig['logs'];
    childEnv: NodeJS.ProcessEnv;
    writer: { mark(): void };
  },
): winston.Logger[] {
  const { opts, layout, log } = c;
  // Recovery has one owner: the worker runs it at every boot, holding the worker lock (so no CLI
  // changes task state meanwhile). A hook here is for tests only.
  const beforeWorkerBoot = opts.beforeWorkerBoot;
  const childLoggers: winston.Logger[] = [];
  const taskLog = opts.foreground ? createConsoleLogger('supervisor') : undefined;
  if (taskLog) childLoggers.push(taskLog);
  for (const component of opts.components ?? COMPONENTS) {
    // `<component>.out`: the child's own logger writes logs/<component>-*.log; what it prints goes here.
    const childLog = createLogger({
      layout,
      component: `${component}.out`,
      console: opts.foreground,
      logs: c.logsPolicy,
    });
    const slot = new ChildSlot({
      component,
      entry: opts.entries?.[component] ?? resolveChildEntry(component, opts.env),
      root: layout.root,
      env: c.childEnv,
      timing: c.timing,
      log,
      ...(taskLog ? { taskLine: (message: string, meta: object) => taskLog.info(message, meta) } : {}),
      output: (stream, line) => childLog.log(stream === 'stderr' ? 'warn' : 'info', line, { stream }),
      onChange: () => c.writer.mark(),
      ...(component === 'worker' && beforeWorkerBoot
        ? { beforeBoot: () => beforeWorkerBoot(layout.root, log) }
        : {}),
    });
    slots.set(component, slot);
    childLoggers.push(childLog);
  }
  return childLoggers;
}

/** The first of STOP.HEADLESS or a stop signal. */
function stopRequests(
  stopFile: string,
  pollMs: number,
): { requested: Promise<StopReason>; unwatchFile: () => void; unwatchSignals: () => void } {
  let resolveStop: (reason: StopReason) => void = () => {};
  const requested = new Promise<StopReason>((resolve) => {
    resolveStop = resolve;
  });
  const unwatchFile = watchStopFile(stopFile, () => resolveStop('STOP.HEADLESS'), pollMs);
  const signals: NodeJS.Signals[] = [
    'SIGINT',
    'SIGTERM',
    ...(process.platform === 'win32' ? [] : ['SIGHUP' as const]),
  ];
  const onSignal = (sig: NodeJS.Signals): void => resolveStop(sig as StopReason);
  for (const sig of signals) process.on(sig, onSignal);
  return {
    requested,
    unwatchFile,
    unwatchSignals: () => {
      for (const sig of signals) process.off(sig, onSignal);
    },
  };
}

async function removeIfPresent(file: string): Promise<boolean> {
  try {
    await fs.rm(file);
    return true;
  } catch {
    return false;
  }
}

/** The children's environment: the supervisor's own, their malloc setting, and how to reach it. */
function childEnvOf(
  env: NodeJS.ProcessEnv,
  socket: string,
  token: string,
  timing: Timing,
): NodeJS.ProcessEnv {
  return {
    ...env,
    ...childMallocEnv(process.platform, env),
    [IPC_ENV.supervised]: '1',
    [IPC_ENV.path]: socket,
    [IPC_ENV.token]: token,
    [IPC_ENV.heartbeatMs]: String(timing.heartbeatIntervalMs),
  };
}
