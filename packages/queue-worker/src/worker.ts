import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { PoliciesConfig, ToolsConfig } from '@headless/core/config/schema';
import { layout as rootLayout } from '@headless/core/paths';
import { systemClock, type Clock } from '@headless/core/clock';
import type { ProcessRunner } from '@headless/core/process/types';
import { createProcessRunner } from '@headless/core/process/run';
import { processStartTime } from '@headless/core/process/alive';
import { CorruptRecordError, FolderStore, MissingTaskError } from '@headless/core/queue/folder-store';
import { repairDamagedRecords } from '@headless/recovery/damaged';
import { Ledger } from '@headless/core/ledger/ledger';
import { ToolBreakers, type BreakersSnapshot } from '@headless/core/policy/tool-breakers';
import { decideRetry } from '@headless/core/policy/retry';
import { breakerVerdict } from '@headless/core/policy/breaker-verdict';
import { killGraceMs } from '@headless/core/policy/kill-grace';
import { writeFileAtomic } from '@headless/core/fs/atomic';
import { validationContext } from '@headless/core/task/validate';
import type { TaskRecord, AttemptSummary } from '@headless/core/task/record';
import type { Classification } from '@headless/core/tool/classify';
import type { SupervisorLink } from '@headless/core/ipc/client';
import { parseIndexLockError, repairStaleIndexLock } from '@headless/core/git/index-lock';
import { makeRedactor } from '@headless/core/process/redact';
import { buildChildEnv } from '@headless/core/process/env';
import { pruneTaskLogs } from '@headless/core/log/task-log';
import { runAttempt } from './attempt.js';
import { planNext, type RunningTask } from './scheduler.js';
import { InboxWatcher } from './inbox/watcher.js';
import { Waker } from './waker.js';
import { silentLogger, type WorkerLogger } from './logger.js';
import {
  acquireWorkerLock,
  breakerResetDir,
  cancelDir,
  optionalStart,
  pendingCancels,
  writeHeartbeat,
  type WorkerHeartbeat,
} from '@headless/core/run-state/worker-files';

export interface WorkerOptions {
  root: string;
  tools: ToolsConfig;
  policies: PoliciesConfig;
  runner?: ProcessRunner;
  clock?: Clock;
  logger?: WorkerLogger;
  link?: SupervisorLink | null;
  /** Aborting it stops the worker like STOP.HEADLESS. */
  signal?: AbortSignal;
  /** Process everything runnable, wait for scheduled retries, then return. */
  untilIdle?: boolean;
  env?: NodeJS.ProcessEnv;
  fsync?: boolean;
  /** Runs before the first claim (the recovery package); injectable for tests. */
  recover?: (root: string) => Promise<unknown>;
}

export interface WorkerSummary {
  started: number;
  finished: Record<string, number>;
  stoppedBy: 'stop-file' | 'signal' | 'idle' | 'link-lost';
}

interface Running extends RunningTask {
  rec: TaskRecord;
  abort: AbortController;
  abortReason?: 'stop' | 'cancel';
  pid?: number;
  attempt: number;
  startedAt: string;
  done: Promise<void>;
}

const BREAKERS_FILE = 'breakers.json';
/** How long claiming pauses after a run could not be carried through (a failing log device). */
const FAULT_PAUSE_MS = 5000;

/**
 * The queue worker: turns inbox files into queued tasks and runs them under the concurrency,
 * retry and breaker policies until stopped (STOP.HEADLESS, the signal, the supervisor) or, with
 * `untilIdle`, until nothing is left to do. Everything durable goes through the store and ledger.
 */
export async function runWorker(opts: WorkerOptions): Promise<WorkerSummary> {
  const paths = rootLayout(opts.root);
  const clock = opts.clock ?? systemClock;
  const log = opts.logger ?? silentLogger;
  const runner = opts.runner ?? createProcessRunner();
  const parentEnv = opts.env ?? process.env;
  const { tools, policies } = opts;
  const fsync = opts.fsync ?? true;
  const scratchRoot = path.join(paths.runDir, 'scratch');
  await fsp.mkdir(paths.runDir, { recursive: true, mode: 0o700 });
  await fsp.mkdir(paths.logsDir, { recursive: true });
  await fsp.mkdir(paths.inbox, { recursive: true });
  await fsp.mkdir(cancelDir(paths.runDir), { recursive: true });

  // Secrets of the worker's own environment never reach the ledger, whatever a tool prints.
  const globalSecrets = buildChildEnv(parentEnv, {
    pass: [],
    extraPass: tools.secretEnv,
    secretNames: tools.secretEnv,
  }).secrets;
  const redact = makeRedactor(globalSecrets);
  const store = new FolderStore(paths.tasksDir, { clock, fsync });
  await store.init();
  const ledger = new Ledger(paths.ledger, { clock, fsync, redact });

  const releaseLock = await acquireWorkerLock(paths.runDir, paths.root);
  const summary: WorkerSummary = { started: 0, finished: {}, stoppedBy: 'idle' };
  const waker = new Waker();
  const running = new Map<string, Running>();
  const startedAt = new Date(clock.now()).toISOString();
  let stopping = false;
  const watchers: fs.FSWatcher[] = [];
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let housekeepingTimer: NodeJS.Timeout | undefined;

  try {
    if (opts.recover) {
      const report = await opts.recover(paths.root);
      log.info('recovery done', { report });
    }
    const saveBreakers = breakerSaver(paths.runDir);
    const breakers = new ToolBreakers(policies.breaker, {
      clock,
      initial: await readBreakers(paths.runDir, log),
      onChange: (s) =>
        void saveBreakers
          .save(s)
          .catch((err: unknown) => log.error('could not save breaker state', { err: String(err) })),
    });
    const inbox = new InboxWatcher({
      inboxDir: paths.inbox,
      settleMs: policies.worker.settleMs,
      clock,
      ingest: {
        store,
        ledger,
        validation: validationContext(paths.root, tools, policies),
        ingestedDir: path.join(paths.tasksDir, 'ingested'),
        now: () => new Date(clock.now()),
        redact,
      },
      onReport: (r) => {
        log.info(
          `ingested ${r.file}: ${r.queued.length} queued, ${r.rejected.length} rejected${r.replayed.length ? `, ${r.replayed.length} already queued` : ''}`,
          {
            file: r.file,
            rejected: r.rejected.slice(0, 20),
          },
        );
      },
      onError: (file, err) =>
        log.error(`could not read inbox file ${file}: ${String(err)}; it stays in the inbox`, { file }),
    });

    watchers.push(
      ...watchFolders(
        [paths.inbox, paths.root, path.join(paths.tasksDir, 'queued'), cancelDir(paths.runDir)],
        () => waker.wake(),
        log,
      ),
    );
    const onAbort = () => waker.wake();
    opts.signal?.addEventListener('abort', onAbort);
    let linkLost = false;
    // The supervisor's grace is the whole budget: running tasks get what is left after ending their trees.
    let stopGraceMs = policies.shutdown.graceSec * 1000;
    opts.link?.onShutdown((p) => {
      stopping = true;
      stopGraceMs = p.graceMs;
      waker.wake();
    });
    opts.link?.onLost(() => {
      linkLost = true;
      waker.wake();
    });

    const heartbeat = async (state: WorkerHeartbeat['state']) => {
      const hb: WorkerHeartbeat = {
        pid: process.pid,
        ...optionalStart(process.pid),
        startedAt,
        at: new Date(clock.now()).toISOString(),
        state,
        supervised: Boolean(opts.link),
        running: [...running.values()].map((r) => ({
          id: r.id,
          attempt: r.attempt,
          tool: r.tool,
          startedAt: r.startedAt,
          ...(r.pid ? { pid: r.pid } : {}),
        })),
      };
      opts.link?.send('heartbeat', {
        component: 'worker',
        pid: hb.pid,
        at: hb.at,
        running: hb.running.map(({ id, attempt, tool, pid }) => ({
          id,
          attempt,
          tool,
          ...(pid ? { pid } : {}),
        })),
      });
      await writeHeartbeat(paths.runDir, hb).catch((err: unknown) =>
        log.warn(`could not write heartbeat: ${String(err)}`),
      );
    };
    // Logs cannot fill the disk: per-task logs (and read inbox files) past the retention go, at boot and hourly.
    const housekeeping = async () => {
      const now = clock.now();
      const pruned = await pruneTaskLogs(paths.logsDir, { retentionDays: policies.logs.retentionDays, now });
      const ingested = await pruneOldFiles(
        path.join(paths.tasksDir, 'ingested'),
        policies.logs.retentionDays,
        now,
      );
      if (pruned.length || ingested)
        log.info(
          `housekeeping: removed ${pruned.length} task log(s) and ${ingested} read inbox file(s) older than ${policies.logs.retentionDays} days`,
        );
    };
    await housekeeping().catch((err: unknown) => log.warn(`housekeeping failed: ${String(err)}`));
    housekeepingTimer = setInterval(
      () => void housekeeping().catch((err: unknown) => log.warn(`housekeeping failed: ${String(err)}`)),
      3600_000,
    );
    housekeepingTimer.unref();
    await heartbeat('running');
    heartbeatTimer = setInterval(
      () => void heartbeat(stopping ? 'stopping' : 'running'),
      policies.heartbeat.intervalSec * 1000,
    );
    heartbeatTimer.unref();
    opts.link?.send('ready', { component: 'worker', pid: process.pid });
    await ledger.append({ event: 'worker.start', workerPid: process.pid });
    log.info(`worker ${process.pid} started on ${paths.root}`);

    const queued = new Map<string, TaskRecord>();
    const refreshQueued = async () => {
      const ids = new Set(await store.ids('queued'));
      for (const id of queued.keys()) if (!ids.has(id)) queued.delete(id);
      let damaged = false;
      for (const id of ids) {
        if (queued.has(id)) continue;
        const rec = await store.read('queued', id).catch((err: unknown) => {
          if (!(err instanceof CorruptRecordError)) throw err;
          damaged = true;
          return undefined;
        });
        if (rec) queued.set(id, rec);
      }
      // A record torn while the worker runs (a disk error, a hand edit) is handled as recovery would:
      // moved aside and rebuilt from its inbox line, instead of being skipped (and logged) for ever.
      if (damaged) {
        const report = await repairDamagedRecords(paths.tasksDir, ledger, new Date(clock.now()), { fsync });
        log.warn(
          `unreadable task records: rebuilt ${Object.keys(report.rebuilt).join(', ') || 'none'}; unrecoverable ${report.unrecoverable.join(', ') || 'none'}`,
          { notes: report.notes },
        );
      }
    };

    // Quarantined tasks parked by a breaker, by id -> tool (null: quarantined for another reason).
    // Records are read once; the folder listing says which are still there.
    const parkedKinds = new Map<string, string | null>();
    const parked = async (): Promise<{ id: string; tool: string }[]> => {
      const ids = await store.ids('quarantine');
      const present = new Set(ids);
      for (const id of parkedKinds.keys()) if (!present.has(id)) parkedKinds.delete(id);
      const out: { id: string; tool: string }[] = [];
      for (const id of ids) {
        if (!parkedKinds.has(id)) {
          const rec = await store.read('quarantine', id).catch(() => undefined);
          if (!rec) continue;
          parkedKinds.set(id, rec.quarantineKind === 'breaker' ? rec.spec.tool : null);
        }
        const tool = parkedKinds.get(id);
        if (tool) out.push({ id, tool });
      }
      return out;
    };

    const releaseParked = async () => {
      for (const { id, tool } of await parked()) {
        if (breakers.view(tool).state === 'open') continue;
        try {
          await store.schedule(
            id,
            'quarantine',
            new Date(clock.now()),
            `${tool} breaker half-open: trying again`,
          );
          parkedKinds.delete(id);
          await ledger.append({ event: 'task.released', task: id, tool, reason: 'breaker half-open' });
        } catch (err) {
          if (!(err instanceof MissingTaskError)) throw err;
        }
      }
    };

    const parkedNextWake = async (): Promise<number | undefined> => {
      let next: number | undefined;
      for (const { tool } of await parked()) {
        const until = breakers.view(tool).openUntil;
        if (until) next = Math.min(next ?? Infinity, Date.parse(until));
      }
      return next;
    };

    const handleBreakerResets = async () => {
      const dir = breakerResetDir(paths.runDir);
      for (const tool of await fsp.readdir(dir).catch(() => [] as string[])) {
        breakers.reset(tool);
        await fsp.rm(path.join(dir, tool), { force: true });
        await ledger.append({ event: 'breaker.reset', tool, reason: 'reset by the user' });
        log.info(`breaker of ${tool} closed by the user; its parked tasks return to the queue`);
      }
    };

    const handleCancels = async () => {
      for (const id of await pendingCancels(paths.runDir)) {
        const r = running.get(id);
        if (r) {
          r.abortReason = 'cancel';
          r.abort.abort();
        }
        await fsp.rm(path.join(cancelDir(paths.runDir), id), { force: true });
      }
    };

    const finishAttempt = async (
      r: Running,
      summaryAttempt: AttemptSummary,
      c: Classification,
      repo: string,
      output: string,
    ) => {
      const id = r.id;
      const now = new Date(clock.now());
      // A tool that had already finished its work when the stop or cancel came (its leftovers were
      // being ended) succeeded: that result stands, the task is not run again.
      if (r.abortReason === 'cancel' && c.outcome !== 'success') {
        await store.fail(id, 'processing', 'cancelled by the user', summaryAttempt);
        await ledger.append({ event: 'task.cancelled', task: id, attempt: r.attempt });
        return 'cancelled';
      }
      if (r.abortReason === 'stop' && c.outcome !== 'success') {
        await store.schedule(id, 'processing', now, 'interrupted by stop; runs again', (rec) => ({
          ...rec,
          attempts: Math.max(0, rec.attempts - 1),
          history: [...rec.history, summaryAttempt].slice(-10),
        }));
        await ledger.append({
          event: 'task.requeued',
          task: id,
          attempt: r.attempt,
          reason: 'interrupted by stop',
        });
        return 'requeued';
      }
      if (c.outcome === 'success') {
        await store.complete(id, summaryAttempt);
        await ledger.append({
          event: 'task.done',
          task: id,
          attempt: r.attempt,
          ...(c.suspect ? { reason: c.suspect } : {}),
        });
        return 'done';
      }
      let retryable = c.retryable;
      let why = c.reason;
      const lockPath = parseIndexLockError(output);
      if (lockPath) {
        const ownGitPids = [...running.values()]
          .filter((o) => o !== r && o.tool === 'git' && o.pid)
          .map((o) => o.pid as number);
        const repair = await repairStaleIndexLock(repo, {
          minAgeMs: policies.gitLock.minAgeSec * 1000,
          ownGitPids,
        });
        await ledger.append({
          event: repair.removed ? 'lock.repaired' : 'lock.kept',
          task: id,
          attempt: r.attempt,
          repo,
          reason: repair.reason,
          file: repair.lockPath,
        });
        log.warn(`${repair.removed ? 'removed stale' : 'kept'} ${repair.lockPath}: ${repair.reason}`, {
          taskId: id,
        });
        retryable = true;
        why = `git index.lock: ${repair.reason}`;
        if (repair.removed) {
          const max = r.rec.spec.max_attempts ?? policies.retry.maxAttempts;
          if (r.attempt < max) {
            await store.schedule(id, 'processing', now, why, (rec) => ({
              ...rec,
              history: [...rec.history, summaryAttempt].slice(-10),
            }));
            await ledger.append({
              event: 'task.retry',
              task: id,
              attempt: r.attempt,
              notBefore: now.toISOString(),
              reason: why,
            });
            return 'retry';
          }
        }
      }
      const decision = decideRetry({
        retryable,
        ...(c.resetAt ? { resetAt: c.resetAt } : {}),
        attempt: r.attempt,
        maxAttempts: r.rec.spec.max_attempts ?? policies.retry.maxAttempts,
        now,
        policy: policies.retry,
      });
      if (decision.action === 'retry') {
        await store.schedule(
          id,
          'processing',
          decision.notBefore,
          `${why} (retry ${decision.why})`,
          (rec) => ({ ...rec, history: [...rec.history, summaryAttempt].slice(-10) }),
        );
        await ledger.append({
          event: 'task.retry',
          task: id,
          attempt: r.attempt,
          notBefore: decision.notBefore.toISOString(),
          reason: `${why}; ${decision.why}`,
          delayMs: decision.delayMs,
        });
        return 'retry';
      }
      const reason = retryable ? `${why} (${decision.why})` : why;
      await store.fail(id, 'processing', reason, summaryAttempt);
      await ledger.append({ event: 'task.failed', task: id, attempt: r.attempt, reason, outcome: c.outcome });
      return 'failed';
    };

    const execute = async (r: Running) => {
      const claimed = await store.claim(r.id, { workerPid: process.pid, ...optionalWorkerStart() });
      if (!claimed) return;
      r.rec = claimed;
      r.attempt = claimed.attempts;
      summary.started++;
      const { spec } = claimed;
      const repo = path.resolve(paths.root, spec.repo);
      await ledger.append({
        event: 'attempt.start',
        task: r.id,
        attempt: r.attempt,
        tool: spec.tool,
        repo,
        workerPid: process.pid,
      });
      let pidWrite: Promise<unknown> = Promise.resolve();
      const ran = await breakers.execute(
        spec.tool,
        () =>
          runAttempt(
            claimed,
            repo,
            {
              root: paths.root,
              tools,
              policies,
              runner,
              clock,
              logsDir: paths.logsDir,
              scratchRoot,
              parentEnv,
            },
            {
              signal: r.abort.signal,
              onSpawn: (pid) => {
                r.pid = pid;
                const toolStart = processStartTime(pid);
                // Not flushed to disk: a pid means nothing after a power loss, only after a process crash.
                pidWrite = store
                  .update(
                    r.id,
                    'processing',
                    (rec) => ({
                      ...rec,
                      ...(rec.claim
                        ? { claim: { ...rec.claim, toolPid: pid, ...(toolStart ? { toolStart } : {}) } }
                        : {}),
                    }),
                    { durable: false },
                  )
                  .catch((err: unknown) => log.error(`could not record pid of ${r.id}: ${String(err)}`));
                opts.link?.send('task-started', { id: r.id, attempt: r.attempt, tool: spec.tool, pid });
              },
            },
          ),
        (a) => (r.abortReason ? null : breakerVerdict(a.classification)),
      );
      await pidWrite;
      if (!ran.ran) {
        const reason = `${spec.tool} breaker open${ran.openUntil ? ` until ${ran.openUntil}` : ''}: ${breakers.view(spec.tool).lastReason ?? 'repeated failures'}`;
        await store.quarantine(r.id, 'processing', reason, 'breaker');
        await store.update(r.id, 'quarantine', (rec) => ({
          ...rec,
          attempts: Math.max(0, rec.attempts - 1),
        }));
        await ledger.append({
          event: 'attempt.end',
          task: r.id,
          attempt: r.attempt,
          tool: spec.tool,
          outcome: 'breaker-open',
          reason,
          durationMs: 0,
        });
        await ledger.append({ event: 'task.quarantined', task: r.id, tool: spec.tool, reason });
        opts.link?.send('task-finished', { id: r.id, attempt: r.attempt, outcome: 'breaker-open' });
        count('quarantine');
        return;
      }
      const a = ran.value;
      const c = a.classification;
      const res = a.result;
      const endedAt = new Date(clock.now()).toISOString();
      const reason = a.redact(redact(c.reason));
      const attemptSummary: AttemptSummary = {
        attempt: r.attempt,
        startedAt: r.startedAt,
        endedAt,
        outcome: r.abortReason === 'cancel' && c.outcome !== 'success' ? 'cancelled' : c.outcome,
        reason,
        exitCode: res?.exitCode ?? null,
      };
      await ledger.append({
        event: 'attempt.end',
        task: r.id,
        attempt: r.attempt,
        tool: spec.tool,
        repo,
        ...(res?.pid ? { pid: res.pid } : {}),
        exitCode: res?.exitCode ?? null,
        signal: res?.signal ?? null,
        durationMs: a.durationMs,
        outcome: attemptSummary.outcome,
        ...(c.outcome !== 'success' ? { class: c.retryable ? 'transient' : 'permanent' } : {}),
        reason,
        ...(c.usage ? { usage: c.usage } : {}),
        ...(c.sessionId ? { sessionId: c.sessionId } : {}),
        ...(c.suspect ? { suspect: c.suspect } : {}),
        ...(res && res.survivors.length ? { survivors: res.survivors } : {}),
      });
      const outcome = await finishAttempt(
        r,
        attemptSummary,
        { ...c, reason },
        repo,
        `${res?.stderr ?? ''}\n${res?.stdout ?? ''}`,
      );
      opts.link?.send('task-finished', { id: r.id, attempt: r.attempt, outcome });
      count(outcome);
      log.info(
        `task ${r.id} attempt ${r.attempt}: ${c.outcome} -> ${outcome}${c.outcome === 'success' ? '' : ` (${reason})`}`,
        { taskId: r.id, attempt: r.attempt, tool: spec.tool },
      );
    };

    const count = (k: string) => {
      summary.finished[k] = (summary.finished[k] ?? 0) + 1;
    };

    let claimPausedUntil = 0;
    const launch = (rec: TaskRecord) => {
      const tool = rec.spec.tool;
      const writes = tools.tools[tool]?.writesRepo ?? true;
      const r: Running = {
        id: rec.id,
        tool,
        ...(writes ? { writesRepo: path.resolve(paths.root, rec.spec.repo) } : {}),
        rec,
        abort: new AbortController(),
        attempt: rec.attempts + 1,
        startedAt: new Date(clock.now()).toISOString(),
        done: Promise.resolve(),
      };
      running.set(rec.id, r);
      queued.delete(rec.id);
      r.done = execute(r)
        .catch(async (err: unknown) => {
          const why = err instanceof Error ? err.message : String(err);
          log.error(`task ${rec.id}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, {
            taskId: rec.id,
          });
          // The run could not be carried through (a full or read-only log device, a disk error): the
          // task must not stay in processing under a live worker. It goes back to the queue with its
          // attempts, and claiming pauses so the next tasks are not stranded the same way.
          claimPausedUntil = clock.now() + FAULT_PAUSE_MS;
          try {
            await store.schedule(rec.id, 'processing', new Date(claimPausedUntil), `could not run: ${why}`);
          } catch (again) {
            if (!(again instanceof MissingTaskError)) {
              log.error(
                `task ${rec.id} stays in processing (recovery puts it back at the next start): ${String(again)}`,
              );
            }
          }
        })
        .finally(() => {
          running.delete(rec.id);
          waker.wake();
        });
    };

    const stopRequested = () =>
      stopping || opts.signal?.aborted === true || fs.existsSync(paths.stopFile) || linkLost;

    if (fs.existsSync(paths.stopFile)) {
      log.warn(`${paths.stopFile} exists: not claiming any task; remove it to run the queue`);
    }
    let idle = false;
    while (!stopRequested()) {
      await handleBreakerResets();
      // Released tasks must be in the queue snapshot below, or an idle check could miss them.
      await releaseParked();
      await inbox.scan();
      await refreshQueued();
      await handleCancels();
      const now = clock.now();
      const plan = planNext({
        // A task that is finishing can already be back in the queue folder while its run winds down.
        queued: [...queued.values()].filter((r) => !running.has(r.id)),
        running: [...running.values()],
        now,
        globalLimit: policies.worker.concurrency,
        toolLimit: (t) => tools.tools[t]?.concurrency ?? 1,
        writesRepo: (t) => tools.tools[t]?.writesRepo ?? true,
        repoOf: (rec) => path.resolve(paths.root, rec.spec.repo),
        breaker: (t) => breakers.view(t).state,
      });
      for (const rec of plan.park) {
        queued.delete(rec.id);
        const v = breakers.view(rec.spec.tool);
        const reason = `${rec.spec.tool} breaker open${v.openUntil ? ` until ${v.openUntil}` : ''}: ${v.lastReason ?? 'repeated failures'}`;
        try {
          await store.quarantine(rec.id, 'queued', reason, 'breaker');
          await ledger.append({ event: 'task.quarantined', task: rec.id, tool: rec.spec.tool, reason });
        } catch (err) {
          if (!(err instanceof MissingTaskError)) throw err;
        }
      }
      if (clock.now() >= claimPausedUntil) for (const rec of plan.start) launch(rec);

      const parkedWake = await parkedNextWake();
      if (
        opts.untilIdle &&
        running.size === 0 &&
        plan.start.length === 0 &&
        !inbox.pending &&
        parkedWake === undefined &&
        (await store.ids('queued')).length === 0
      ) {
        idle = true;
        summary.stoppedBy = 'idle';
        break;
      }
      let wakeAt = now + policies.worker.rescanIntervalMs;
      if (plan.nextWakeAt !== undefined) wakeAt = Math.min(wakeAt, plan.nextWakeAt);
      if (parkedWake !== undefined) wakeAt = Math.min(wakeAt, parkedWake);
      if (inbox.nextWakeAt !== undefined) wakeAt = Math.min(wakeAt, inbox.nextWakeAt);
      await waker.wait(wakeAt - clock.now());
    }

    if (!idle) {
      summary.stoppedBy = linkLost ? 'link-lost' : stopping || opts.signal?.aborted ? 'signal' : 'stop-file';
    }
    stopping = true;
    await heartbeat('stopping');
    // Ending a tree and requeueing its task take killGrace plus a moment; the rest of the budget is the wait.
    const waitMs = linkLost ? 0 : Math.max(0, stopGraceMs - killGraceMs(policies) - 1000);
    await drain(running, waitMs, log);
    opts.signal?.removeEventListener('abort', onAbort);
    await ledger
      .append({ event: 'worker.stop', workerPid: process.pid, reason: summary.stoppedBy })
      .catch((err: unknown) => log.error(`could not write worker.stop to the ledger: ${String(err)}`));
    await saveBreakers.settled();
    await ledger.close().catch((err: unknown) => log.error(`could not close the ledger: ${String(err)}`));
    await heartbeat('stopped');
    log.info(`worker ${process.pid} stopped (${summary.stoppedBy})`);
    return summary;
  } finally {
    if (heartbeatTimer) clearInterval(heartbeatTimer);
    if (housekeepingTimer) clearInterval(housekeepingTimer);
    for (const w of watchers) w.close();
    await releaseLock();
  }
}

/** Removes files in `dir` older than the retention; returns how many. */
async function pruneOldFiles(dir: string, retentionDays: number, now: number): Promise<number> {
  const cutoff = now - retentionDays * 86_400_000;
  let n = 0;
  for (const name of await fsp.readdir(dir).catch(() => [] as string[])) {
    const file = path.join(dir, name);
    const st = await fsp.stat(file).catch(() => undefined);
    if (st?.isFile() && st.mtimeMs < cutoff) {
      await fsp.rm(file, { force: true });
      n++;
    }
  }
  return n;
}

function optionalWorkerStart(): { workerStart?: string } {
  const s = optionalStart(process.pid).startTime;
  return s ? { workerStart: s } : {};
}

/** Lets running tasks finish within the grace period, then ends the rest; they go back to the queue. */
async function drain(running: Map<string, Running>, graceMs: number, log: WorkerLogger): Promise<void> {
  if (running.size === 0) return;
  log.info(`stopping: waiting up to ${graceMs} ms for ${running.size} running task(s)`);
  const all = () => Promise.all([...running.values()].map((r) => r.done));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    all().then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), graceMs);
    }),
  ]);
  if (timer) clearTimeout(timer);
  if (timedOut) {
    for (const r of running.values()) {
      r.abortReason ??= 'stop';
      r.abort.abort();
    }
    await all();
  }
}

function watchFolders(dirs: string[], onEvent: () => void, log: WorkerLogger): fs.FSWatcher[] {
  const out: fs.FSWatcher[] = [];
  for (const dir of dirs) {
    try {
      // The folder listing stays the truth (windows.md §6: events can be lost); an event only makes the next scan come sooner.
      const w = fs.watch(dir, { persistent: false }, onEvent);
      w.on('error', (err) =>
        log.warn(`watching ${dir} failed: ${String(err)}; falling back to periodic scans`),
      );
      out.push(w);
    } catch (err) {
      log.warn(`cannot watch ${dir}: ${String(err)}; falling back to periodic scans`);
    }
  }
  return out;
}

async function readBreakers(runDir: string, log: WorkerLogger): Promise<BreakersSnapshot> {
  const file = path.join(runDir, BREAKERS_FILE);
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch {
    return {};
  }
  try {
    return JSON.parse(text) as BreakersSnapshot;
  } catch (err) {
    log.warn(`${file} is unreadable (${String(err)}); every breaker starts closed`);
    return {};
  }
}

/**
 * Serialises writes of one root's breaker state, so an older snapshot never lands after a newer one;
 * `settled()` waits for the last one (the worker does before it returns).
 */
function breakerSaver(runDir: string): {
  save: (s: BreakersSnapshot) => Promise<void>;
  settled: () => Promise<void>;
} {
  let chain: Promise<void> = Promise.resolve();
  return {
    save: (s) => {
      const write = () => writeFileAtomic(path.join(runDir, BREAKERS_FILE), JSON.stringify(s, null, 1));
      const next = chain.then(write, write);
      chain = next.catch(() => undefined);
      return next;
    },
    settled: () => chain,
  };
}
