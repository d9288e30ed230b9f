import fs from 'node:fs/promises';
import path from 'node:path';
import { TASK_STATES, type TaskRecord, type TaskState } from '../task/record.js';
import type { RepairReport } from './store.js';
import { findSourceLines, type SourceLine } from './source-lines.js';
import { mapLimit } from './map-limit.js';
import { readRecordFiles } from './record-files.js';

export interface RepairDeps {
  tasksDir: string;
  ingestedDir: string;
  now: Date;
  fsync: boolean;
  read: (state: TaskState, id: string) => Promise<TaskRecord | undefined>;
  write: (state: TaskState, rec: TaskRecord) => Promise<void>;
}

type FolderRepairReport = RepairReport;

/**
 * Makes the state folders consistent after a crash: damaged records are moved aside and rebuilt
 * from their kept inbox line, a move cut between its rename and its rewrite (or its rewrite and its
 * rename) is completed, temp files of interrupted writes are removed. Idempotent.
 */
export async function repairFolders(deps: RepairDeps): Promise<FolderRepairReport> {
  const report: FolderRepairReport = {
    completedMoves: [],
    rebuilt: {},
    unrecoverable: [],
    cleaned: [],
    notes: [],
    events: [],
  };
  // Each record file is read and parsed once here (it was twice: a root's done/ can hold 10,000s).
  const scan = await scanFolders(deps.tasksDir);
  await repairDamaged(deps, scan.damaged, report);
  for (const state of TASK_STATES) {
    for (const [id, rec] of await recordsAfterRepair(deps, scan, state)) {
      if (!rec || rec.state === state) continue;
      if (state === 'processing' && rec.state === 'queued') {
        // A claim renamed and died before rewriting: the folder is the truth (no claim on record,
        // so recovery puts it back uncounted).
        await deps.write(state, { ...rec, state });
        report.completedMoves.push(id);
      } else {
        // A move wrote its content and died before the rename: finish it, patch and all.
        await finishMove(deps.tasksDir, id, state, rec.state, report);
      }
    }
  }
  await cleanTemp(deps, report);
  return report;
}

async function listIds(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5));
  } catch {
    return [];
  }
}

async function finishMove(
  tasksDir: string,
  id: string,
  from: TaskState,
  to: TaskState,
  report: RepairReport,
): Promise<void> {
  const src = path.join(tasksDir, from, `${id}.json`);
  const dst = path.join(tasksDir, to, `${id}.json`);
  try {
    await fs.access(dst);
    report.notes.push(`task ${id} is in both ${from} and ${to}; kept ${to}, removed the ${from} copy`);
    await fs.rm(src, { force: true });
  } catch {
    await fs.rename(src, dst);
  }
  report.completedMoves.push(id);
}

async function cleanTemp(deps: RepairDeps, report: RepairReport): Promise<void> {
  // Repair runs under the worker lock: no write to these folders can be in progress. A listing of
  // each state folder (in parallel) answers `<state>/*.tmp`: fast-glob here cost every worker boot
  // its evaluation (~30 ms of CPU with the scan) for five flat folders.
  const listings = await Promise.all(
    TASK_STATES.map(async (state) => {
      const names = await fs.readdir(path.join(deps.tasksDir, state)).catch(() => [] as string[]);
      return names.filter((n) => n.endsWith('.tmp')).map((n) => path.join(state, n));
    }),
  );
  for (const rel of listings.flat()) {
    const file = path.join(deps.tasksDir, rel);
    const st = await fs.lstat(file).catch(() => undefined);
    if (!st || st.isDirectory()) continue;
    await fs.rm(file, { force: true });
    report.cleaned.push(path.join('.tasks', rel));
  }
}

interface Damaged {
  id: string;
  state: TaskState;
  file: string;
  why: string;
}

interface FolderScan {
  damaged: Damaged[];
  /**
   * The readable records of each state folder whose state is not their folder's (a move cut short),
   * as read before the repair: only those need work, and a root's done/ can hold 10,000s.
   */
  records: Map<TaskState, Map<string, TaskRecord>>;
}

const SCAN_PARALLEL = 16;

async function scanFolders(tasksDir: string): Promise<FolderScan> {
  const damaged: Damaged[] = [];
  const records = new Map<TaskState, Map<string, TaskRecord>>();
  for (const state of TASK_STATES) {
    const here = new Map<string, TaskRecord>();
    records.set(state, here);
    const ids = await listIds(path.join(tasksDir, state));
    const read = await readRecordFiles(
      ids.map((id) => ({ id, file: path.join(tasksDir, state, `${id}.json`) })),
      { regularOnly: true },
    );
    ids.forEach((id, i) => {
      const r = read[i];
      if (r === undefined) return;
      if (r.ok) {
        if (r.record.state !== state) here.set(id, r.record);
      } else damaged.push({ id, state, file: path.join(tasksDir, state, `${id}.json`), why: r.why });
    });
  }
  return { damaged, records };
}

/**
 * The records to reconcile in `state` once damaged ones are dealt with: those of the scan, which
 * the damage repair does not change (it moves damaged files aside and writes rebuilt ones whose
 * state is their folder's). queued/ is read again through the store, which also sees the tasks
 * still in a batch's segment file.
 */
async function recordsAfterRepair(
  deps: RepairDeps,
  scan: FolderScan,
  state: TaskState,
): Promise<Iterable<[string, TaskRecord | undefined]>> {
  if (state !== 'queued') return scan.records.get(state) ?? [];
  const ids = await listIds(path.join(deps.tasksDir, state));
  // Through the store (segments); 16 in flight, not one open per queued task at once.
  const recs = await mapLimit(ids, SCAN_PARALLEL, (id) => deps.read(state, id));
  return ids.map((id, i) => [id, recs[i]] as [string, TaskRecord | undefined]);
}

/**
 * Records a torn write left unreadable (a power cut with fsync off, a disk error, a hand edit): each
 * is moved to `.tasks/quarantine/damaged/` and, when the kept inbox copy of its line is found,
 * rebuilt. A task that had not finished is rebuilt as queued (it runs again: at-least-once); a done
 * or failed one keeps its state. Without a copy, the task is reported with where its bytes are.
 */
async function repairDamaged(
  deps: RepairDeps,
  damaged: Damaged[],
  report: FolderRepairReport,
): Promise<void> {
  if (damaged.length === 0) return;
  const sources = await findSourceLines(deps.ingestedDir, new Set(damaged.map((d) => d.id)));
  const asideDir = path.join(deps.tasksDir, 'quarantine', 'damaged');
  await fs.mkdir(asideDir, { recursive: true });
  const at = deps.now.toISOString();
  const stamp = at.replace(/[:.]/g, '-');
  for (const d of damaged) {
    const aside = path.join(asideDir, `${stamp}--${d.state}--${d.id}.json`);
    await fs.rename(d.file, aside);
    const shown = path.relative(path.dirname(deps.tasksDir), aside);
    const taken = await readableState(deps, d.id);
    if (taken) {
      report.notes.push(
        `task ${d.id}: the record in ${d.state}/ was unreadable (${d.why}); the one in ${taken}/ is kept, the damaged one moved to ${shown}`,
      );
      continue;
    }
    const src = sources.get(d.id);
    if (!src) {
      report.unrecoverable.push(d.id);
      report.notes.push(
        `task ${d.id}: its ${d.state} record was unreadable (${d.why}) and no kept inbox line defines it; moved to ${shown}: submit the task again`,
      );
      report.events.push({
        event: 'task.damaged',
        task: d.id,
        reason: `record in ${d.state}/ unreadable (${d.why}); not rebuilt: no kept inbox line`,
        file: shown,
      });
      continue;
    }
    const finished = d.state === 'done' || d.state === 'failed';
    const state: TaskState = finished ? d.state : 'queued';
    const reason = finished
      ? `record rebuilt from .tasks/ingested/${src.from} line ${src.source.line} after damage; its attempts are in the ledger`
      : `record was unreadable in ${d.state}/ (${d.why}); rebuilt from .tasks/ingested/${src.from} line ${src.source.line} and queued again`;
    await deps.write(state, rebuiltRecord(d.id, src, state, reason, at));
    report.rebuilt[d.id] = state;
    report.notes.push(`task ${d.id}: ${reason}; the damaged bytes are in ${shown}`);
    report.events.push({ event: 'task.damaged', task: d.id, reason, file: shown });
  }
}

/** A record made again from its kept inbox line: no attempts on record (they are in the ledger). */
export function rebuiltRecord(
  id: string,
  src: SourceLine,
  state: TaskState,
  reason: string,
  at: string,
): TaskRecord {
  return {
    id,
    spec: src.spec,
    state,
    attempts: 0,
    crashes: 0,
    ...(state === 'queued' ? { notBefore: at } : {}),
    enqueuedAt: at,
    updatedAt: at,
    rev: 1,
    source: src.source,
    reason,
    history: [],
  };
}

async function readableState(deps: RepairDeps, id: string): Promise<TaskState | undefined> {
  for (const s of TASK_STATES) if (await deps.read(s, id)) return s;
  return undefined;
}
