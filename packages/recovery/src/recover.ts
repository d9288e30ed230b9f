import fs from 'node:fs/promises';
import path from 'node:path';
import type { PoliciesConfig } from '@headless/core/config/schema';
import { loadConfig } from '@headless/core/config/load';
import { layout, type RootLayout } from '@headless/core/paths';
import { systemClock, type Clock } from '@headless/core/clock';
import { FolderStore, MissingTaskError } from '@headless/core/queue/folder-store';
import { Transitions } from '@headless/core/queue/transitions';
import { repairStore } from '@headless/core/queue/repair';
import { catchUpLedger, checkpointFile } from '@headless/core/queue/ledger-catch-up';
import { heartbeatFile } from '@headless/core/run-state/heartbeat';
import { holderAlive } from '@headless/core/run-state/pid-lock';
import { Ledger } from '@headless/core/ledger/ledger';
import {
  groupHasMembers,
  isAlive,
  killTree,
  listGroupMembers,
  processStartTime,
} from '@headless/core/process/ownership';
import { sweepOrphanedTools } from '@headless/core/process/task-marker';
import type { TaskRecord } from '@headless/core/task/record';

export interface RecoveryReport {
  /** Interrupted tasks put back in the queue, attempt count kept. */
  requeued: string[];
  /** Tasks that were running when their worker died `maxCrashes` times: failed, not retried forever. */
  poisoned: string[];
  /** Moves a crash cut in half, completed. */
  completedMoves: string[];
  /** Tool processes left by a dead worker, ended. */
  killed: number[];
  /** Temp files and scratch folders removed. */
  cleaned: string[];
  /** Tasks left alone because their worker is alive. */
  live: string[];
  /** Unreadable records (torn writes) rebuilt from the kept inbox copy of their line. */
  rebuilt: string[];
  /** Unreadable records with no copy to rebuild from: moved to .tasks/quarantine/damaged/. */
  unrecoverable: string[];
  notes: string[];
  /** Ledger lines a crash kept out of the ledger, written from the records' journals. */
  ledgerCaughtUp: number;
}

export interface RecoverOptions {
  root: string;
  policies?: PoliciesConfig;
  clock?: Clock;
  fsync?: boolean;
  killGraceMs?: number;
}

const TMP_MAX_AGE_MS = 60 * 60 * 1000;

/**
 * Makes the task state consistent after a crash. The caller holds the worker lock (the worker at
 * its boot, or `headless recover`): tasks whose worker is dead go back to the queue (or fail as
 * poison), their tool processes are ended, moves a crash interrupted are completed, temp leftovers
 * removed, a torn ledger line fenced off, and the ledger caught up with the records.
 * Idempotent: a second run finds nothing to do.
 */
export async function recover(opts: RecoverOptions): Promise<RecoveryReport> {
  const paths = layout(opts.root);
  const clock = opts.clock ?? systemClock;
  const policies = opts.policies ?? (await loadConfig(paths)).policies;
  const fsync = opts.fsync ?? true;
  const report: RecoveryReport = {
    requeued: [],
    poisoned: [],
    completedMoves: [],
    killed: [],
    cleaned: [],
    live: [],
    rebuilt: [],
    unrecoverable: [],
    notes: [],
    ledgerCaughtUp: 0,
  };
  const store = new FolderStore(paths.tasksDir, { clock, fsync, ingestedDir: paths.ingestedDir });
  await store.init();
  await fenceTornLedger(paths.ledger, report);
  const ledger = new Ledger(paths.ledger, { clock, fsync });
  const transitions = new Transitions(store, ledger, { clock });
  // Before anything reads records: an unreadable one would otherwise sit in its folder for ever
  // (a queued one keeps `headless run` from ever becoming idle, a processing one is never requeued).
  const repaired = await repairStore(store, ledger, new Date(clock.now()));
  report.rebuilt.push(...Object.keys(repaired.rebuilt));
  report.unrecoverable.push(...repaired.unrecoverable);
  report.completedMoves.push(...repaired.completedMoves);
  report.cleaned.push(...repaired.cleaned);
  report.notes.push(...repaired.notes);

  const hb = await heartbeatFile(paths.workerHeartbeat)
    .read()
    .catch(() => undefined);
  const staleMs = policies.recovery.staleAfterSec * 1000;
  const ownerLive = (rec: TaskRecord): boolean => {
    const c = rec.claim;
    if (!c) return false;
    if (c.workerPid === process.pid) return false;
    if (!holderAlive({ pid: c.workerPid, ...(c.workerStart ? { startTime: c.workerStart } : {}) }))
      return false;
    if (hb && hb.pid === c.workerPid && clock.now() - Date.parse(hb.at) > staleMs) {
      report.notes.push(
        `worker ${c.workerPid} is alive but its heartbeat is ${Math.round((clock.now() - Date.parse(hb.at)) / 1000)} s old; its tasks are left to the supervisor's watchdog`,
      );
    }
    return true;
  };

  for (const rec of await store.list('processing')) {
    const id = rec.id;
    if (ownerLive(rec)) {
      report.live.push(id);
      continue;
    }
    await endOrphanTool(rec, opts.killGraceMs ?? 2000, report);
    const now = new Date(clock.now());
    try {
      if (!rec.claim) {
        // Claimed (renamed) but the attempt was never counted or started: put it back as it was.
        await transitions.requeueOrphan(id, rec, {
          reason: 'claim interrupted before the tool started',
          now,
          claimLost: true,
        });
        report.requeued.push(id);
        continue;
      }
      const crashes = rec.crashes + 1;
      const reason = `worker ${rec.claim.workerPid} died during attempt ${rec.attempts}`;
      const poison =
        crashes >= policies.recovery.maxCrashes
          ? `poison: the worker died during ${crashes} attempts of this task (policies.recovery.maxCrashes = ${policies.recovery.maxCrashes}); run "headless retry ${id}" to try again`
          : undefined;
      await transitions.requeueOrphan(id, rec, { reason, now, ...(poison ? { poison } : {}) });
      (poison ? report.poisoned : report.requeued).push(id);
    } catch (err) {
      if (err instanceof MissingTaskError) continue;
      throw err;
    }
  }

  // Tools whose owner died before their pid was on record: found by the marker they inherit.
  const swept = await sweepOrphanedTools(paths.root);
  for (const k of swept.killed) {
    report.killed.push(k.pid);
    report.notes.push(
      `ended pid ${k.pid} of ${k.task}: its owner ${k.owner} is gone and its pid was never recorded`,
    );
  }

  await cleanLeftovers(paths, clock, report);
  // Last: every move above has written its lines, so what is still missing was cut by a crash.
  const caught = await catchUpLedger({
    store,
    ledgerFile: paths.ledger,
    ledger,
    checkpoint: checkpointFile(paths.ledgerCheckpoint),
    now: new Date(clock.now()),
  });
  report.ledgerCaughtUp = caught.appended + caught.rejected;
  if (report.ledgerCaughtUp) {
    report.notes.push(
      `the ledger lacked ${report.ledgerCaughtUp} line(s) of moves a crash cut short; added from the task records`,
    );
  }
  await ledger.close();
  return report;
}

async function endOrphanTool(rec: TaskRecord, graceMs: number, report: RecoveryReport): Promise<void> {
  const pid = rec.claim?.toolPid;
  if (!pid) return;
  if (!isAlive(pid)) {
    // The tool is gone but its process group may live on: a grandchild that ignored SIGTERM while
    // the dead worker was still ending it (found by the kill campaign: supervisor killed, then the
    // draining worker). Tools are group leaders, so the group id is the tool's pid.
    if (process.platform === 'win32' || !groupHasMembers(pid)) return;
    const members = await listGroupMembers(pid);
    const toolStart = Number(rec.claim?.toolStart);
    // A member that started before our tool cannot be its descendant: the group id was reused.
    const foreign = members.filter((m) => {
      const s = Number(processStartTime(m));
      return Number.isFinite(toolStart) && Number.isFinite(s) && s < toolStart;
    });
    if (members.length === 0 || foreign.length > 0) return;
    const { survivors } = await killTree(pid, { graceMs, pgid: pid });
    report.killed.push(...members);
    report.notes.push(
      `task ${rec.id}: its tool ${pid} had exited but left ${members.join(', ')} in its process group; ended`,
    );
    if (survivors.length)
      report.notes.push(`task ${rec.id}: processes ${survivors.join(', ')} survived SIGKILL`);
    return;
  }
  // A pid can be reused by an unrelated process: only kill the one whose start time we recorded.
  const start = processStartTime(pid);
  if (rec.claim?.toolStart && start !== undefined && start !== rec.claim.toolStart) {
    report.notes.push(`pid ${pid} of task ${rec.id} now belongs to another process; left alone`);
    return;
  }
  const { survivors } = await killTree(pid, { graceMs, pgid: pid });
  report.killed.push(pid);
  if (survivors.length)
    report.notes.push(`task ${rec.id}: processes ${survivors.join(', ')} survived SIGKILL`);
}

/** Temp files of interrupted writes outside the store, and scratch folders of tasks no longer running. */
async function cleanLeftovers(paths: RootLayout, clock: Clock, report: RecoveryReport): Promise<void> {
  const now = clock.now();
  for (const dir of [paths.inbox, paths.runDir]) {
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!name.endsWith('.tmp')) continue;
      const file = path.join(dir, name);
      try {
        const st = await fs.stat(file);
        // Inbox temp files may belong to a writer that is still running (`headless enqueue`).
        if (dir === paths.inbox && now - st.mtimeMs < TMP_MAX_AGE_MS) continue;
        await fs.rm(file, { force: true });
        report.cleaned.push(path.relative(paths.root, file));
      } catch {
        // gone already
      }
    }
  }
  let names: string[];
  try {
    names = await fs.readdir(paths.scratchDir);
  } catch {
    return;
  }
  const keep = new Set(report.live);
  for (const name of names) {
    if (keep.has(name)) continue;
    await fs.rm(path.join(paths.scratchDir, name), { recursive: true, force: true });
    report.cleaned.push(path.relative(paths.root, path.join(paths.scratchDir, name)));
  }
}

/** A crash can tear the ledger's last line; the next record must start on a line of its own. */
async function fenceTornLedger(file: string, report: RecoveryReport): Promise<void> {
  let fh;
  try {
    fh = await fs.open(file, 'r+');
  } catch {
    return;
  }
  try {
    const { size } = await fh.stat();
    if (size === 0) return;
    const buf = Buffer.alloc(1);
    await fh.read(buf, 0, 1, size - 1);
    if (buf[0] !== 0x0a) {
      await fh.write('\n', size);
      await fh.sync();
      report.notes.push(
        'the ledger ended with a torn line (a crash mid-write); it is kept, and readers skip it',
      );
    }
  } finally {
    await fh.close();
  }
}
