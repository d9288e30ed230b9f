import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type { PoliciesConfig, ToolsConfig } from '@headless/core/config/schema';
import { layout as rootLayout } from '@headless/core/paths';
import { systemClock, type Clock } from '@headless/core/clock';
import type { ProcessRunner } from '@headless/core/process/types';
import { createWorkerRunner, runnerLabel } from '@headless/core/process/worker-runner';
import type { EarlySpawner } from '@headless/core/process/early-spawner';
import { processStartTime } from '@headless/core/process/alive';
import { FolderStore } from '@headless/core/queue/folder-store';
import { Transitions } from '@headless/core/queue/transitions';
import { Ledger } from '@headless/core/ledger/ledger';
import { openBreakerRegistry } from '@headless/core/policy/breaker-registry';
import { killGraceMs } from '@headless/core/policy/kill-grace';
import { acquireWorkerLock } from '@headless/core/run-state/worker-lock';
import type { SupervisorLink } from '@headless/core/ipc/client';
import { makeRedactor } from '@headless/core/process/redact';
import { buildChildEnv } from '@headless/core/process/env';
import { Waker } from './waker.js';
import { wakesLoop, type WatchedFolder } from './wake-events.js';
import { ScanSchedule } from './scan-schedule.js';
import { ClaimGate } from './claim-gate.js';
import { ToolParkBook } from './tool-parks.js';
import { SpendBook } from './spend.js';
import { livePolicies } from '@headless/core/config/live-policies';
import { silentLogger, type WorkerLogger } from './logger.js';
import type { WorkerContext, WorkerSummary } from './context.js';
import { heartbeater } from './heartbeat.js';
import { checkpointLedger, housekeeping } from './housekeeping.js';
import { drain } from './drain.js';
import { runLoop } from './loop.js';
import { makeNotifier } from './notify.js';
import { toolNotices } from './tool-notices.js';
import { persistentBatches, restoreBatches } from './batches.js';
import { startConfigReload } from './config-reload.js';
import { bootMark, bootTraceDone } from '@headless/core/boot-trace';
import { startHeapRelease } from '@headless/core/memory/heap-release';

/** At a stop, notifications still on their way get this long before they are ended. */
const NOTIFY_FLUSH_MS = 5000;

export type { WorkerSummary } from './context.js';

export interface WorkerOptions {
  root: string;
  tools: ToolsConfig;
  policies: PoliciesConfig;
  runner?: ProcessRunner;
  /** The spawner the worker's entry started before its imports (child.ts); used unless `runner` is given. */
  earlySpawner?: EarlySpawner;
  clock?: Clock;
  logger?: WorkerLogger;
  /** The supervisor link, or its connection still under way (awaited once recovery is done). */
  link?: SupervisorLink | null | Promise<SupervisorLink | null>;
  /** Aborting it stops the worker like STOP.HEADLESS. */
  signal?: AbortSignal;
  /** Process everything runnable, wait for scheduled retries, then return. */
  untilIdle?: boolean;
  /** With `untilIdle`: tasks not due within this long (from the start) are left waiting; see `summary.waiting`. */
  maxWaitMs?: number;
  env?: NodeJS.ProcessEnv;
  fsync?: boolean;
  /**
   * Runs once, with the worker lock held, before the first claim (the recovery package): the
   * worker is the one owner of recovery at boot. Injectable for tests.
   */
  recover?: (root: string) => Promise<unknown>;
  /** Watching config/ for changes (on by default); tests shorten its timings. */
  configWatch?: false | { debounceMs?: number; pollMs?: number };
  /** Called right after `worker.start` is written (main.ts opens the log files then). */
  onStarted?: () => void;
}

/**
 * The queue worker: turns inbox files into queued tasks and runs them under the concurrency,
 * retry and breaker policies until stopped (STOP.HEADLESS, the signal, the supervisor) or, with
 * `untilIdle`, until nothing is left to do. While it runs it is the only writer of task state:
 * the CLI's requests come to it (requests.ts). This file is its lifecycle; each concern has a room.
 */
export async function runWorker(opts: WorkerOptions): Promise<WorkerSummary> {
  const paths = rootLayout(opts.root);
  const clock = opts.clock ?? systemClock;
  const log = opts.logger ?? silentLogger;
  const fsync = opts.fsync ?? true;
  await fsp.mkdir(paths.runDir, { recursive: true, mode: 0o700 });
  await fsp.mkdir(paths.logsDir, { recursive: true });
  await fsp.mkdir(paths.inbox, { recursive: true });
  await fsp.mkdir(paths.requestsDir, { recursive: true, mode: 0o700 });

  // A short wait: the CLI holds this lock for a moment while it changes task state with no worker.
  const lock = await acquireWorkerLock(paths, { waitMs: 3000 });
  bootMark('lock');
  if (lock.replaced) log.warn(`took over ${paths.workerLock}: ${lock.replaced}`);
  const timers: NodeJS.Timeout[] = [];
  const watchers: fs.FSWatcher[] = [];
  const closers: (() => void)[] = [];
  let runnerOf: ProcessRunner | undefined;
  try {
    if (opts.recover) log.info('recovery done', { report: await opts.recover(paths.root) });
    bootMark('recovery');
    const link = (await opts.link) ?? null;
    const ctx = await buildContext({ ...opts, link }, paths, clock, log, fsync);
    runnerOf = ctx.runner;
    bootMark('context');
    closers.push(watchWorkerConfig(ctx, opts), releaseHeapWhenQuiet(ctx));
    const beat = heartbeater(ctx, new Date(clock.now()).toISOString());
    const scans = watchLoopFolders(ctx, watchers);
    const onAbort = () => ctx.waker.wake();
    opts.signal?.addEventListener('abort', onAbort);
    const control = { linkLost: false, stopping: false, graceMs: opts.policies.shutdown.graceSec * 1000 };
    link?.onShutdown((p) => {
      control.stopping = true;
      // The supervisor's grace is the whole budget: running tasks get what is left after ending their trees.
      control.graceMs = p.graceMs;
      ctx.waker.wake();
    });
    link?.onLost(() => {
      control.linkLost = true;
      ctx.waker.wake();
    });

    const keep = () =>
      void housekeeping(ctx).catch((err: unknown) => log.warn(`housekeeping failed: ${String(err)}`));
    keep();
    timers.push(setInterval(keep, 3600_000));
    await beat('running');
    timers.push(
      setInterval(
        () => void beat(control.stopping ? 'stopping' : ctx.draining ? 'draining' : 'running'),
        opts.policies.heartbeat.intervalSec * 1000,
      ),
    );
    for (const t of timers) t.unref();
    link?.send('ready', { component: 'worker', pid: process.pid });
    await ctx.ledger.append({ event: 'worker.start', workerPid: process.pid });
    started(ctx);
    opts.onStarted?.();

    const stopRequested = () =>
      control.stopping || opts.signal?.aborted === true || fs.existsSync(paths.stopFile) || control.linkLost;
    const { idle, desk } = await runLoop(ctx, {
      scans,
      untilIdle: opts.untilIdle === true,
      stopRequested,
      ...(opts.maxWaitMs !== undefined ? { waitUntil: clock.now() + opts.maxWaitMs } : {}),
    });

    const summary = ctx.summary;
    if (!idle) {
      summary.stoppedBy = control.linkLost
        ? 'link-lost'
        : control.stopping || opts.signal?.aborted
          ? 'signal'
          : 'stop-file';
    }
    control.stopping = true;
    await beat('stopping');
    // Ending a tree and requeueing its task take killGrace plus a moment; the rest of the budget is the wait.
    const waitMs = control.linkLost ? 0 : Math.max(0, control.graceMs - killGraceMs(opts.policies) - 1000);
    await drain(ctx.running, waitMs, log);
    ctx.stopping.abort();
    await desk.settled();
    opts.signal?.removeEventListener('abort', onAbort);
    // A drain ends with this stop; the next start claims again.
    if (!idle) await fsp.rm(paths.drainRequest, { force: true }).catch(() => undefined);
    await ctx.ledger
      .append({ event: 'worker.stop', workerPid: process.pid, reason: summary.stoppedBy })
      .catch((err: unknown) => log.error(`could not write worker.stop to the ledger: ${String(err)}`));
    await ctx.registry.settled();
    await flushNotifications(ctx);
    await ctx.batches.flushed();
    await checkpointLedger(ctx).catch((err: unknown) =>
      log.warn(`could not move the ledger checkpoint: ${String(err)}`),
    );
    await ctx.ledger.close().catch((err: unknown) => log.error(`could not close the ledger: ${String(err)}`));
    await beat('stopped');
    await ctx.gate.stop();
    log.info(`worker ${process.pid} stopped (${summary.stoppedBy})`);
    return summary;
  } finally {
    for (const t of timers) clearInterval(t);
    for (const w of watchers) w.close();
    for (const c of closers) c();
    await closeRunner(runnerOf);
    await lock.release();
  }
}

/** Right after `worker.start`: what is kept off the boot path. */
function started(ctx: WorkerContext): void {
  bootTraceDone('worker');
  ctx.log.info(
    `worker ${process.pid} started on ${ctx.paths.root} (tools started by: ${runnerLabel(ctx.runnerKind)})`,
  );
  // The spawner is not forked here: the first run it does not take forks it once its tool has
  // started (handover-runner.ts), so neither the fork nor the spawner's boot on the other core is
  // on the way of the first task after a start or a crash. The open batches' ends are counted from
  // the moment their ids are back.
  void restoreBatches(ctx);
}

async function buildContext(
  opts: WorkerOptions & { link: SupervisorLink | null },
  paths: ReturnType<typeof rootLayout>,
  clock: Clock,
  log: WorkerLogger,
  fsync: boolean,
): Promise<WorkerContext> {
  const parentEnv = opts.env ?? process.env;
  // Secrets of the worker's own environment never reach the ledger, whatever a tool prints.
  const globalSecrets = buildChildEnv(parentEnv, {
    pass: [],
    extraPass: opts.tools.secretEnv,
    secretNames: opts.tools.secretEnv,
  }).secrets;
  const redact = makeRedactor(globalSecrets);
  const store = new FolderStore(paths.tasksDir, { clock, fsync, ingestedDir: paths.ingestedDir });
  await store.init();
  const ledger = new Ledger(paths.ledger, {
    clock,
    fsync,
    redact,
    maxBytes: opts.policies.logs.ledgerMaxMb * 1024 * 1024,
    say: (m) => log.warn(m),
  });
  const transitions = new Transitions(store, ledger, {
    clock,
    onLedgerError: (err, line) =>
      log.error(
        `could not write ${String(line.event)} of ${typeof line.task === 'string' ? line.task : '?'} to the ledger (recovery adds it): ${String(err)}`,
      ),
  });
  const notices = toolNotices({ ledger, log, root: paths.root, clock });
  const registry = await openBreakerRegistry({
    file: paths.breakers,
    resetsFile: paths.breakerResets,
    policy: opts.policies.breaker,
    clock,
    warn: (m) => log.warn(m),
    onOpen: notices.onOpen,
  });
  const start = processStartTime(process.pid);
  const picked = opts.runner
    ? { runner: opts.runner, kind: 'injected' as const }
    : createWorkerRunner(opts.policies.worker.spawner, (m) => log.info(m), opts.earlySpawner);
  const runner = picked.runner;
  const waker = new Waker();
  const live = livePolicies(paths, opts.policies, (err) => log.warn(`config/policies.json: ${String(err)}`));
  const gate = new ClaimGate({
    runDir: paths.runDir,
    diskDir: paths.root,
    ledger,
    log,
    minFreeMb: async () => (await live()).disk.minFreeMb,
    checkIntervalMs: opts.policies.disk.checkIntervalSec * 1000,
    onResume: () => waker.wake(),
    clock,
  });
  await gate.start();
  const parks = new ToolParkBook({ paths, ledger, log, clock, onPark: notices.onPark });
  await parks.load();
  const spend = new SpendBook(opts.tools, opts.policies);
  await spend.load(paths.ledger, new Date(clock.now()));
  const ctx: WorkerContext = {
    parks,
    spend,
    paths,
    tools: opts.tools,
    policies: opts.policies,
    clock,
    log,
    runner,
    runnerKind: picked.kind,
    parentEnv,
    store,
    transitions,
    ledger,
    registry,
    redact,
    link: opts.link,
    running: new Map(),
    summary: { started: 0, finished: {}, stoppedBy: 'idle' },
    waker,
    gate,
    pause: { until: 0 },
    stopping: new AbortController(),
    ...(start ? { workerStart: start } : {}),
    noteParked: () => undefined,
    passAfterEnd: () => true,
    notifier: makeNotifier({
      policies: opts.policies,
      runner,
      log,
      paths,
      parentEnv,
    }),
    batches: persistentBatches(paths.batches, log),
  };
  notices.bind((ev) => ctx.notifier.notify(ev));
  return ctx;
}

/** The spawner goes with the worker (it would also go by itself once the channel closes). */
async function closeRunner(runner: ProcessRunner | undefined): Promise<void> {
  await runner?.close?.().catch(() => undefined);
}

/** config/ changes apply to new attempts (config-reload.ts); returns what stops the watch. */
function watchWorkerConfig(ctx: WorkerContext, opts: WorkerOptions): () => void {
  if (opts.configWatch === false) return () => undefined;
  const { paths } = ctx;
  const current = {
    tools: opts.tools,
    policies: opts.policies,
    sources: { tools: paths.toolsConfig, policies: paths.policiesConfig },
  };
  const watcher = startConfigReload(ctx, current, opts.configWatch ?? {});
  return () => watcher.close();
}

/** Lets the last notifications (batch.done at the end of `headless run`) go out, within a bound. */
async function flushNotifications(ctx: WorkerContext): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    ctx.notifier.settled(),
    new Promise((resolve) => (timer = setTimeout(resolve, NOTIFY_FLUSH_MS))),
  ]);
  clearTimeout(timer);
  await ctx.notifier.close();
}

/** The inbox, the root (the stop file) and the requests, each event noted for the loop's next pass. */
function watchLoopFolders(ctx: WorkerContext, watchers: fs.FSWatcher[]): ScanSchedule {
  const { paths, log } = ctx;
  const scans = new ScanSchedule(ctx.policies.worker.rescanIntervalMs);
  const folders = { inbox: paths.inbox, root: paths.root, requests: paths.requestsDir };
  const onEvent = (folder: WatchedFolder) => {
    scans.noteEvent(folder);
    ctx.waker.wake();
  };
  const onUnwatched = () => scans.noteUnwatched();
  watchers.push(...watchFolders(folders, paths.stopFile, { onEvent, onUnwatched }, log));
  return scans;
}

function watchFolders(
  dirs: Record<WatchedFolder, string>,
  stopFile: string,
  on: { onEvent: (folder: WatchedFolder) => void; onUnwatched: () => void },
  log: WorkerLogger,
): fs.FSWatcher[] {
  const out: fs.FSWatcher[] = [];
  for (const [folder, dir] of Object.entries(dirs) as [WatchedFolder, string][]) {
    try {
      // The folder listing stays the truth (events can be lost on Windows); an event only makes the next scan come sooner.
      const w = fs.watch(dir, { persistent: false }, (_type, name) => {
        if (wakesLoop(folder, name, stopFile)) on.onEvent(folder);
      });
      w.on('error', (err) => {
        on.onUnwatched();
        log.warn(`watching ${dir} failed: ${String(err)}; falling back to scans at every pass`);
      });
      out.push(w);
    } catch (err) {
      on.onUnwatched();
      log.warn(`cannot watch ${dir}: ${String(err)}; falling back to scans at every pass`);
    }
  }
  return out;
}

/** After a burst (a big inbox file), the heap V8 grew for it goes back once nothing runs. */
function releaseHeapWhenQuiet(ctx: WorkerContext): () => void {
  const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
  return startHeapRelease({
    busy: () => ctx.running.size > 0,
    clock: ctx.clock,
    onRelease: (before, after) =>
      ctx.log.debug(`gave back memory: resident ${mb(before)} -> ${mb(after)} MB`),
  });
}
