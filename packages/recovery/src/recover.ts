import fs from 'node:fs/promises';
import path from 'node:path';
import type { PoliciesConfig } from '@headless/core/config/schema';
import { loadConfig } from '@headless/core/config/load';
import { layout } from '@headless/core/paths';
import { systemClock, type Clock } from '@headless/core/clock';
import { FolderStore, MissingTaskError } from '@headless/core/queue/folder-store';
import { Ledger } from '@headless/core/ledger/ledger';
import {
  groupHasMembers,
  isAlive,
  killTree,
  listGroupMembers,
  processStartTime,
} from '@headless/core/process/ownership';
import { sweepOrphanedTools } from '@headless/core/process/task-marker';
import { lockHolderAlive, readHeartbeat, cancelDir } from '@headless/core/run-state/worker-files';
import { TASK_STATES, type TaskRecord, type TaskState } from '@headless/core/task/record';
import { repairDamagedRecords } from './damaged.js';

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
 * Makes the task folders consistent after a crash, before any worker claims again: tasks whose
 * worker is dead go back to the queue (or fail as poison), their tool processes are ended, moves
 * a crash interrupted are completed, temp leftovers removed, a torn ledger line fenced off.
 * Idempotent: a second run finds nothing to do.
 */
export async function recover(opts: RecoverOptions): Promise<RecoveryReport> {
  const paths = layout(opts.root);
  const clock = opts.clock ?? systemClock;
  const policies = opts.policies ?? (await loadConfig(paths)).policies;
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
  };
  const store = new FolderStore(paths.tasksDir, { clock, fsync: opts.fsync ?? true });
  await store.init();
  await fenceTornLedger(paths.ledger, report);
  const ledger = new Ledger(paths.ledger, { clock, fsync: opts.fsync ?? true });
  // Before anything reads records: an unreadable one would otherwise sit in its folder for ever
  // (a queued one keeps `headless run` from ever becoming idle, a processing one is never requeued).
  const damage = await repairDamagedRecords(paths.tasksDir, ledger, new Date(clock.now()), {
    fsync: opts.fsync ?? true,
  });
  report.rebuilt.push(...Object.keys(damage.rebuilt));
  report.unrecoverable.push(...damage.unrecoverable);
  report.notes.push(...damage.notes);

  const hb = await readHeartbeat(paths.runDir);
  const staleMs = policies.recovery.staleAfterSec * 1000;
  const ownerLive = (rec: TaskRecord): boolean => {
    const c = rec.claim;
    if (!c) return false;
    if (!lockHolderAlive({ pid: c.workerPid, ...(c.workerStart ? { startTime: c.workerStart } : {}) }))
      return false;
    if (hb && hb.pid === c.workerPid && clock.now() - Date.parse(hb.at) > staleMs) {
      report.notes.push(
        `worker ${c.workerPid} is alive but its heartbeat is ${Math.round((clock.now() - Date.parse(hb.at)) / 1000)} s old; its tasks are left to the supervisor's watchdog`,
      );
    }
    return true;
  };

  for (const id of await store.ids('processing')) {
    let rec: TaskRecord | undefined;
    try {
      rec = await store.read('processing', id);
    } catch (err) {
      report.notes.push(String(err instanceof Error ? err.message : err));
      continue;
    }
    if (!rec) continue;
    if (rec.state !== 'processing' && rec.state !== 'queued') {
      // The owner wrote the final content and died before the rename: finish its move.
      await finishMove(paths.tasksDir, id, rec.state, report);
      continue;
    }
    if (ownerLive(rec)) {
      report.live.push(id);
      continue;
    }
    await endOrphanTool(rec, opts.killGraceMs ?? 2000, report);
    const now = new Date(clock.now());
    try {
      if (!rec.claim) {
        // Claimed (renamed) but the attempt was never counted or started: put it back as it was.
        await store.schedule(id, 'processing', now, 'claim interrupted before the tool started');
        await ledger.append({ event: 'task.requeued', task: id, reason: 'claim interrupted before start' });
        report.requeued.push(id);
        continue;
      }
      const crashes = rec.crashes + 1;
      const reason = `worker ${rec.claim.workerPid} died during attempt ${rec.attempts}`;
      await ledger.append({
        event: 'attempt.end',
        task: id,
        attempt: rec.attempts,
        tool: rec.spec.tool,
        outcome: 'interrupted',
        reason,
        ...(rec.claim.toolPid ? { pid: rec.claim.toolPid } : {}),
      });
      if (crashes >= policies.recovery.maxCrashes) {
        const why = `poison: the worker died during ${crashes} attempts of this task (policies.recovery.maxCrashes = ${policies.recovery.maxCrashes}); run "headless retry ${id}" to try again`;
        await store.update(id, 'processing', (r) => ({ ...r, crashes }));
        await store.fail(id, 'processing', why, {
          attempt: rec.attempts,
          startedAt: rec.claim.claimedAt,
          endedAt: now.toISOString(),
          outcome: 'poison',
          reason,
        });
        await ledger.append({
          event: 'task.failed',
          task: id,
          attempt: rec.attempts,
          outcome: 'poison',
          reason: why,
        });
        report.poisoned.push(id);
      } else {
        await store.schedule(id, 'processing', now, `${reason}; requeued by recovery`, (r) => ({
          ...r,
          crashes,
          history: [
            ...r.history,
            {
              attempt: r.attempts,
              startedAt: rec.claim?.claimedAt ?? now.toISOString(),
              endedAt: now.toISOString(),
              outcome: 'interrupted' as const,
              reason,
            },
          ].slice(-10),
        }));
        await ledger.append({ event: 'task.requeued', task: id, attempt: rec.attempts, reason });
        report.requeued.push(id);
      }
    } catch (err) {
      if (err instanceof MissingTaskError) continue;
      throw err;
    }
  }

  // A crash between rewriting content and renaming can also leave a queued-folder record that names another state.
  for (const state of ['queued', 'failed', 'quarantine', 'done'] as const) {
    for (const id of await store.ids(state)) {
      const rec = await store.read(state, id).catch(() => undefined);
      if (rec && rec.state !== state && rec.state === 'processing') {
        // An unowned move renamed first and died before rewriting: the folder is the truth.
        await store.update(id, state, (r) => ({ ...r, state }));
        report.completedMoves.push(id);
      }
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

  await cleanLeftovers(paths.tasksDir, paths.runDir, await store.ids('processing'), clock, report);
  await ledger.close();
  return report;
}

async function finishMove(
  tasksDir: string,
  id: string,
  to: TaskState,
  report: RecoveryReport,
): Promise<void> {
  if (!TASK_STATES.includes(to)) return;
  const src = path.join(tasksDir, 'processing', `${id}.json`);
  const dst = path.join(tasksDir, to, `${id}.json`);
  try {
    await fs.access(dst);
    report.notes.push(`task ${id} is in both processing and ${to}; kept ${to}, removed the processing copy`);
    await fs.rm(src, { force: true });
  } catch {
    await fs.rename(src, dst);
  }
  report.completedMoves.push(id);
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

async function cleanLeftovers(
  tasksDir: string,
  runDir: string,
  processing: string[],
  clock: Clock,
  report: RecoveryReport,
): Promise<void> {
  const now = clock.now();
  for (const dir of [
    ...TASK_STATES.map((s) => path.join(tasksDir, s)),
    path.join(tasksDir, 'inbox'),
    runDir,
  ]) {
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
        if (dir.endsWith('inbox') && now - st.mtimeMs < TMP_MAX_AGE_MS) continue;
        await fs.rm(file, { force: true });
        report.cleaned.push(path.relative(path.dirname(tasksDir), file));
      } catch {
        // gone already
      }
    }
  }
  const keep = new Set(processing);
  for (const sub of ['scratch', path.basename(cancelDir(runDir))]) {
    let names: string[];
    try {
      names = await fs.readdir(path.join(runDir, sub));
    } catch {
      continue;
    }
    for (const name of names) {
      if (keep.has(name)) continue;
      await fs.rm(path.join(runDir, sub, name), { recursive: true, force: true });
      report.cleaned.push(path.join('.tasks', 'run', sub, name));
    }
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
