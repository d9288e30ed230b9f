import fs from 'node:fs';
import { repairStore } from '@headless/core/queue/repair';
import { validationContext } from '@headless/core/task/validate';
import { idleEnd, mayCheckIdle } from './idle-check.js';
import { InboxWatcher } from './inbox/watcher.js';
import type { WorkerContext } from './context.js';
import { launch } from './execute.js';
import { ParkedTasks } from './parked.js';
import { QueueIndex } from './queue-index.js';
import { RequestDesk } from './requests.js';
import type { ScanSchedule } from './scan-schedule.js';
import { planPass } from './pass-plan.js';
import { announceCancelled } from './task-ends.js';
import { releaseLoginHeld } from './tool-gate.js';
import { passNeededAfterEnd } from './waker.js';

/**
 * The worker's loop: each turn takes the user's breaker resets and requests, releases parked tasks,
 * reads the inbox (each of these when a watch event or the rescan interval says so: scan-schedule.ts),
 * and starts what the scheduler chooses; then it sleeps until the next event, the
 * next scheduled task or the rescan interval. Returns when a stop is asked (or, with `untilIdle`,
 * when nothing is left to do).
 */
export async function runLoop(
  ctx: WorkerContext,
  opts: { untilIdle: boolean; stopRequested: () => boolean; waitUntil?: number; scans: ScanSchedule },
): Promise<{ idle: boolean; desk: RequestDesk }> {
  const { paths, log, clock } = ctx;
  const { scans } = opts;
  const parked = new ParkedTasks(ctx);
  ctx.noteParked = (id, tool) => parked.note(id, tool);
  const queue = new QueueIndex(ctx, () => repairAndSay(ctx));
  ctx.passAfterEnd = (ended) =>
    passNeededAfterEnd(ended, { untilIdle: opts.untilIdle, hasDependents: queue.hasDependents() });
  const desk = new RequestDesk(ctx, (req) => {
    // The reset is in the resets file now: the next pass applies it (releases the tool's parks).
    if (req.kind === 'reset-breaker') scans.noteEvent('requests');
    if (req.kind === 'retry' || req.kind === 'cancel') for (const id of requestTasks(req)) parked.forget(id);
    if (req.kind === 'cancel') void announceCancelled(ctx, requestTasks(req));
  });
  const inbox = new InboxWatcher({
    inboxDir: paths.inbox,
    refusedDir: paths.refusedFilesDir,
    settleMs: ctx.policies.worker.settleMs,
    clock,
    ingest: {
      transitions: ctx.transitions,
      ledger: ctx.ledger,
      validation: validationContext(paths.root, ctx.tools, ctx.policies),
      ingestedDir: paths.ingestedDir,
      now: () => new Date(clock.now()),
      redact: ctx.redact,
    },
    onReport: (r) => {
      ctx.batches.add(r.file, r.queued);
      const extra = r.replayed.length ? `, ${r.replayed.length} already queued` : '';
      log.info(`ingested ${r.file}: ${r.queued.length} queued, ${r.rejected.length} rejected${extra}`, {
        file: r.file,
        rejected: r.rejected.slice(0, 20),
      });
    },
    onError: (file, err) =>
      log.error(`could not read inbox file ${file}: ${String(err)}; it stays in the inbox`, { file }),
  });
  if (fs.existsSync(paths.stopFile)) {
    log.warn(`${paths.stopFile} exists: not claiming any task; remove it to run the queue`);
  }
  while (!opts.stopRequested()) {
    const due = scans.take(clock.now());
    if (due.has('resets')) await applyBreakerResets(ctx);
    if (due.has('requests')) await desk.poll();
    // Released tasks must be in the queue snapshot below, or an idle check could miss them.
    await parked.releaseReady();
    // A file still being written is looked at again when its settle time is up, events or not.
    if (due.has('inbox') || inbox.pending) await inbox.scan();
    await queue.refresh();
    const now = clock.now();
    const runningAtPlan = ctx.running.size;
    const { plan, held } = await planPass(ctx, queue, now);
    for (const rec of plan.park) {
      queue.drop(rec.id);
      await parked.park(rec);
    }
    const draining = fs.existsSync(paths.drainRequest);
    ctx.draining = draining;
    const gateOpen =
      clock.now() >= ctx.pause.until && !draining && plan.start.length > 0 ? await ctx.gate.mayClaim() : true;
    if (clock.now() >= ctx.pause.until && !draining && gateOpen) {
      for (const rec of plan.start) {
        queue.drop(rec.id);
        launch(ctx, rec);
      }
    }
    const breakerWake = await parked.nextWake();
    const parkedWake = minOf(breakerWake, ctx.parks.nextWake());
    const idleCheck = {
      runningAtPlan,
      runningNow: ctx.running.size,
      started: plan.start.length,
      inboxPending: inbox.pending,
    };
    if (opts.untilIdle && mayCheckIdle(idleCheck)) {
      // `headless run` never waits for days: what is not due before its --max-wait is listed, not waited for.
      const end = idleEnd({
        queuedLeft: (await ctx.store.ids('queued')).length,
        breakerWake,
        nextWake: minOf(plan.nextWakeAt, parkedWake),
        waitUntil: opts.waitUntil,
      });
      if (end === 'waiting') ctx.summary.waiting = await waitingTasks(ctx, held);
      if (end !== undefined) return { idle: true, desk };
    }
    let wakeAt = now + ctx.policies.worker.rescanIntervalMs;
    if (plan.nextWakeAt !== undefined) wakeAt = Math.min(wakeAt, plan.nextWakeAt);
    if (parkedWake !== undefined) wakeAt = Math.min(wakeAt, parkedWake);
    if (inbox.nextWakeAt !== undefined) wakeAt = Math.min(wakeAt, inbox.nextWakeAt);
    if (ctx.pause.until > now) wakeAt = Math.min(wakeAt, ctx.pause.until);
    // Claiming paused by the disk guard: look again at its interval (it also wakes us on resume).
    if (!gateOpen) wakeAt = Math.min(wakeAt, now + ctx.policies.disk.checkIntervalSec * 1000);
    await ctx.waker.wait(wakeAt - clock.now());
  }
  return { idle: false, desk };
}

/** The user's `retry --reset-breaker <tool>`: the breaker closes, the tool's park ends, its login-held tasks return. */
async function applyBreakerResets(ctx: WorkerContext): Promise<void> {
  for (const tool of await ctx.registry.applyResets()) {
    ctx.log.info(`breaker of ${tool} closed by a reset`);
    await ctx.parks.release(tool, 'headless retry --reset-breaker');
    const back = await releaseLoginHeld(ctx, tool);
    if (back) ctx.log.info(`${back} task(s) of ${tool} held for a login are back in the queue`);
  }
}

/** The store's records could not all be read: it repairs them, and the log says what it found. */
async function repairAndSay(ctx: WorkerContext): Promise<void> {
  const report = await repairStore(ctx.store, ctx.ledger, new Date(ctx.clock.now()));
  ctx.log.warn(
    `unreadable task records: rebuilt ${Object.keys(report.rebuilt).join(', ') || 'none'}; unrecoverable ${report.unrecoverable.join(', ') || 'none'}`,
    { notes: report.notes },
  );
}

function minOf(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.min(a, b);
}

async function waitingTasks(
  ctx: WorkerContext,
  held: ReadonlyMap<string, string>,
): Promise<{ id: string; until?: string; reason?: string }[]> {
  const out: { id: string; until?: string; reason?: string }[] = [];
  for (const state of ['queued', 'quarantine'] as const) {
    for (const r of await ctx.store.list(state)) {
      // A queued task of a parked tool waits for the tool: that is its reason.
      const reason = (state === 'queued' ? held.get(r.spec.tool) : undefined) ?? r.reason;
      out.push({
        id: r.id,
        ...(r.notBefore ? { until: r.notBefore } : {}),
        ...(reason ? { reason } : {}),
      });
    }
  }
  return out;
}

function requestTasks(req: { kind: string; tasks?: string[]; task?: string }): string[] {
  return req.kind === 'cancel' ? [req.task ?? ''] : (req.tasks ?? []);
}
