import path from 'node:path';
import { systemClock, type Clock } from '@headless/core/clock';
import { loadConfig } from '@headless/core/config/load';
import { watchConfig } from '@headless/core/config/watch';
import type { RunningTask } from '@headless/core/ipc/events';
import type { LoopSpec } from '@headless/core/config/schema';
import type { SupervisorLink } from '@headless/core/ipc/client';
import { layout as rootLayout } from '@headless/core/paths';
import { openBreakerRegistry, type BreakerRegistry } from '@headless/core/policy/breaker-registry';
import type { BreakerView } from '@headless/core/policy/tool-breakers';
import { createProcessRunner } from '@headless/core/process/run';
import type { ProcessRunner } from '@headless/core/process/types';
import { closeLogger, createLogger } from '@headless/core/log/logger';
import type { Log } from './log-sink.js';
import { loopLogPath, openLoopLog } from './loop-log.js';
import { runLoop, type LoopEvents } from './loop-runner.js';
import { initialLoopState } from './loop-state.js';
import { LoopSet } from './loop-set.js';
import { loopNotices } from './loop-notices.js';
import { LoopStateFile } from './state-file-writer.js';

export interface OrchestratorOptions {
  root: string;
  /** Aborting stops every loop; running steps have their process trees ended. */
  signal: AbortSignal;
  runner?: ProcessRunner;
  clock?: Clock;
  /** The supervisor link (events, heartbeats); null or absent when running alone. */
  link?: SupervisorLink | null;
  /** The component log; by default `createLogger({ component: 'orchestrator' })`, closed at the end. */
  logger?: Log;
  /** Also print log records to the console (foreground runs). */
  console?: boolean;
  /** For tests: the random source of the jitter. */
  random?: () => number;
  /** For tests: the environment the allow-list filters (default process.env). */
  parentEnv?: NodeJS.ProcessEnv;
}

/**
 * The blueprint's Orchestrator.Headless.ps1: runs every enabled loop of config/tools.json until the
 * signal aborts, then resolves once every loop has stopped and every step process has ended.
 * A bad config rejects at once (ConfigError); anything a loop does wrong is logged and contained.
 */
export async function runOrchestrator(opts: OrchestratorOptions): Promise<void> {
  const l = rootLayout(opts.root);
  const config = await loadConfig(l);
  const { tools, policies } = config;
  const live = { tools, policies };
  const clock = opts.clock ?? systemClock;
  const link = opts.link ?? null;
  const ownLogger =
    opts.logger === undefined
      ? createLogger({
          layout: l,
          component: 'orchestrator',
          console: opts.console ?? false,
          logs: policies.logs,
        })
      : undefined;
  const log: Log = ownLogger ?? (opts.logger as Log);
  const runner = opts.runner ?? createProcessRunner();
  const notices = loopNotices({ policies, runner, log, root: l.root, clock, parentEnv: opts.parentEnv });
  const { registry, resetTimer } = await openLoopBreakers(l, policies, clock, log, notices.onOpen);
  const breakers = registry.breakers;
  const stateFile = new LoopStateFile(l, (err) => log.warn(`cannot write loops.json: ${String(err)}`, {}));

  const running = new Map<string, RunningTask>();
  const events = loopEvents(running, { log, link, stateFile });

  const enabled = Object.entries(tools.loops).filter(([, spec]) => spec.enabled);
  markDisabled(stateFile, tools.loops);
  log.info(
    enabled.length === 0
      ? 'orchestrator started with no enabled loops (add some under "loops" in config/tools.json); idling'
      : `orchestrator started with ${enabled.length} loop(s): ${enabled.map(([n]) => n).join(', ')}`,
    { pid: process.pid, tools: config.sources.tools, policies: config.sources.policies },
  );
  link?.onStatusRequest(() => ({ component: 'orchestrator', pid: process.pid, loops: stateFile.snapshot() }));
  link?.startHeartbeat(() => [...running.values()]);
  link?.send('ready', { component: 'orchestrator', pid: process.pid });

  const loops = new LoopSet(async (name, spec, retire) => {
    const output = openLoopLog(loopLogPath(l.logsDir, name), {
      maxBytes: live.policies.worker.taskLogMaxBytes,
      clock,
      onError: (err) => log.warn(`cannot write the log of loop ${name}: ${String(err)}`, { loop: name }),
    });
    try {
      await runLoop(name, spec, {
        root: l.root,
        get tools() {
          return live.tools;
        },
        get policies() {
          return live.policies;
        },
        runner,
        breakers,
        clock,
        signal: opts.signal,
        retire,
        log,
        output,
        events: events(name),
        scratchDir: path.join(l.loopScratchDir, name),
        ...(opts.random ? { random: opts.random } : {}),
        ...(opts.parentEnv ? { parentEnv: opts.parentEnv } : {}),
      });
    } catch (err) {
      // runLoop contains its runs' errors; reaching here is a bug, but it must not stop the other loops.
      log.error(
        `loop ${name} stopped by an unexpected error: ${err instanceof Error ? err.message : String(err)}`,
        { loop: name, stack: err instanceof Error ? err.stack : undefined },
      );
    } finally {
      await output.close();
    }
  });
  loops.apply(tools.loops);

  // A valid change of config/ applies at once: the steps' tools and policies to the loops' next runs,
  // and the loops themselves (LoopSet: an edited, disabled or removed loop ends after its current run;
  // a new or edited one starts). An invalid change is refused and the running config stays.
  const watcher = watchConfig({
    layout: l,
    current: config,
    onChange: (next) => {
      live.tools = next.tools;
      live.policies = next.policies;
      notices.reload(next.policies);
      reloadLoops(loops, next.tools.loops, stateFile, log);
    },
    onError: (message) => log.warn(`config/ change refused, the running config stays: ${message}`, {}),
  });
  opts.signal.addEventListener('abort', () => watcher.close(), { once: true });
  // Idle until asked to stop, even with no loops: a supervised child that exits would be restarted.
  await new Promise<void>((resolve) => {
    if (opts.signal.aborted) resolve();
    else opts.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await loops.settled();
  clearInterval(resetTimer);
  await registry.settled();
  await stateFile.flush();
  await notices.close();
  log.info('orchestrator stopped', { pid: process.pid });
  if (ownLogger) await closeLogger(ownLogger);
}

/** The worker's breaker registry kind, in its own file; a user's reset reaches it through the resets file. */
async function openLoopBreakers(
  l: ReturnType<typeof rootLayout>,
  policies: Awaited<ReturnType<typeof loadConfig>>['policies'],
  clock: Clock,
  log: Log,
  onOpen: (tool: string, view: BreakerView) => void,
): Promise<{ registry: BreakerRegistry; resetTimer: NodeJS.Timeout }> {
  const registry = await openBreakerRegistry({
    file: l.loopBreakers,
    resetsFile: l.breakerResets,
    policy: policies.breaker,
    clock,
    onOpen,
    warn: (m) => log.warn(m, {}),
  });
  const resetTimer = setInterval(
    () =>
      void registry
        .applyResets()
        .then((tools) => {
          for (const t of tools) log.info(`breaker of ${t} closed by the user`, {});
        })
        .catch((err: unknown) => log.warn(`cannot read breaker resets: ${String(err)}`, {})),
    1000,
  );
  resetTimer.unref();
  return { registry, resetTimer };
}

/** What a loop reports: running steps for the heartbeat, results to the supervisor, state to loops.json. */
function loopEvents(
  running: Map<string, RunningTask>,
  to: { log: Log; link: SupervisorLink | null; stateFile: LoopStateFile },
): (loop: string) => LoopEvents {
  const { log, link, stateFile } = to;
  return (loop) => ({
    stepStarted: (t) => {
      running.set(`${t.id}#${t.attempt}`, t);
      log.debug(`loop ${loop} step started`, {
        loop,
        taskId: t.id,
        attempt: t.attempt,
        tool: t.tool,
        pid: t.pid,
      });
      link?.send('task-started', t);
    },
    stepFinished: (t) => {
      running.delete(`${t.id}#${t.attempt}`);
      link?.send('task-finished', { id: t.id, attempt: t.attempt, outcome: t.outcome });
    },
    repoResult: (r) => link?.send('loop-result', r),
    state: (name, s) => stateFile.set(name, s),
  });
}

/** Loops present but disabled show in loops.json (and `status`) as such. */
function markDisabled(stateFile: LoopStateFile, loops: Record<string, LoopSpec>): void {
  for (const [name, spec] of Object.entries(loops))
    if (!spec.enabled) stateFile.set(name, initialLoopState(false, spec.intervalSec));
}

/** Applies a changed `loops` section; loops that stopped for good show as disabled, or leave loops.json. */
function reloadLoops(
  loops: LoopSet,
  next: Record<string, LoopSpec>,
  stateFile: LoopStateFile,
  log: Log,
): void {
  const { stopped, started } = loops.apply(next);
  markDisabled(stateFile, Object.fromEntries(Object.entries(next).filter(([n]) => !stopped.includes(n))));
  for (const name of stopped.filter((n) => !started.includes(n)))
    void loops.whenEnded(name).then(() => {
      const spec = next[name];
      if (spec && !spec.enabled) stateFile.set(name, initialLoopState(false, spec.intervalSec));
      else if (!spec) stateFile.remove(name);
    });
  const what = [
    started.length ? `starts ${started.join(', ')}` : '',
    stopped.length ? `stops ${stopped.join(', ')} after the run in progress` : '',
  ].filter(Boolean);
  log.info(
    `config/ changed: the new config applies to the next runs of the loops${what.length ? `; ${what.join('; ')}` : ''}`,
    {},
  );
}
