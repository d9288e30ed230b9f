import path from 'node:path';
import type { TaskRecord } from '../task/record.js';
import type { RepairReport } from './store.js';
import type { KnownIds } from './id-index.js';
import type { QueueSegments } from './folder-segments.js';
import type { SegmentView } from './segment-view.js';
import { EXPANDING_SUFFIX } from './segment-format.js';
import { findSourceLines } from './source-lines.js';
import { rebuiltRecord } from './folder-repair.js';

export interface SegmentRepairDeps {
  tasksDir: string;
  ingestedDir: string;
  now: Date;
  segments: QueueSegments;
  view: SegmentView;
  fileIds(): Promise<KnownIds>;
  writeQueued(rec: TaskRecord): Promise<void>;
}

/**
 * After a crash (run by `repair`, under the worker lock): removes temp files of segment writes,
 * finishes expansions a crash cut short (a `.expanding` segment, or one whose tasks already have
 * files), and moves a damaged segment aside after rebuilding its unreadable tasks from their kept
 * inbox lines. Segments nobody has touched stay as they are: their tasks are queued.
 */
export async function repairSegments(deps: SegmentRepairDeps, report: RepairReport): Promise<void> {
  for (const tmp of await deps.segments.cleanTemp())
    report.cleaned.push(path.join('.tasks', 'segments', tmp));
  const names = await deps.segments.names();
  if (names.length === 0) return;
  const files = await deps.fileIds();
  for (const name of names) {
    const parsed = await deps.segments.read(name);
    if (!parsed) continue;
    if (!('records' in parsed)) {
      const aside = await moveAside(deps, name);
      report.notes.push(
        `queue segment ${name} is unreadable (${parsed.why}); moved to ${aside}: the tasks in it are re-read from their inbox file if it was not yet retired, else submit them again`,
      );
      continue;
    }
    const started = name.endsWith(EXPANDING_SUFFIX);
    const shadowed = [...parsed.records.keys()].some((k) => files.has(k));
    if (!started && !shadowed && parsed.damaged.length === 0) continue;
    await deps.view.expand(name, { resume: true });
    for (const [key, rec] of parsed.records) if (!files.has(key)) report.completedMoves.push(rec.id);
    if (parsed.damaged.length === 0) continue;
    const current = await deps.fileIds();
    const lost = parsed.damaged.filter((d) => !current.has(d.id.toLowerCase()));
    // Expanded as far as it could be read; it stays taken (`.expanding`) until moved aside here.
    const aside = await moveAside(
      deps,
      started ? name : `${name}${EXPANDING_SUFFIX.slice(-'.expanding'.length)}`,
    );
    await rebuild(deps, lost, aside, report);
  }
}

async function moveAside(deps: SegmentRepairDeps, name: string): Promise<string> {
  const stamp = deps.now.toISOString().replace(/[:.]/g, '-');
  const dest = path.join(deps.tasksDir, 'quarantine', 'damaged', `${stamp}--segment--${name}`);
  await deps.segments.moveAside(name, dest);
  return path.relative(path.dirname(deps.tasksDir), dest);
}

/** Unreadable segment lines: rebuilt as queued from the kept inbox line, or reported as lost. */
async function rebuild(
  deps: SegmentRepairDeps,
  damaged: readonly { id: string; why: string }[],
  aside: string,
  report: RepairReport,
): Promise<void> {
  if (damaged.length === 0) return;
  const sources = await findSourceLines(deps.ingestedDir, new Set(damaged.map((d) => d.id)));
  const at = deps.now.toISOString();
  for (const d of damaged) {
    const src = sources.get(d.id);
    if (!src) {
      report.unrecoverable.push(d.id);
      report.notes.push(
        `task ${d.id}: its line in a queue segment was unreadable (${d.why}) and no kept inbox line defines it; the segment is in ${aside}: submit the task again`,
      );
      report.events.push({
        event: 'task.damaged',
        task: d.id,
        reason: `queue segment line unreadable (${d.why}); not rebuilt: no kept inbox line`,
        file: aside,
      });
      continue;
    }
    const reason = `queue segment line was unreadable (${d.why}); rebuilt from .tasks/ingested/${src.from} line ${src.source.line} and queued again`;
    await deps.writeQueued(rebuiltRecord(d.id, src, 'queued', reason, at));
    report.rebuilt[d.id] = 'queued';
    report.notes.push(`task ${d.id}: ${reason}; the damaged segment is in ${aside}`);
    report.events.push({ event: 'task.damaged', task: d.id, reason, file: aside });
  }
}
