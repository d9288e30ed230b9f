import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { writeFileAtomic } from '@headless/core/fs/atomic';
import type { Ledger } from '@headless/core/ledger/ledger';
import { TaskSpec } from '@headless/core/task/schema';
import { TASK_STATES, type TaskRecord, type TaskState } from '@headless/core/task/record';

/** A task record that does not parse, as found in `.tasks/<state>/<id>.json`. */
export interface DamagedRecord {
  id: string;
  state: TaskState;
  file: string;
  why: string;
}

export interface DamageReport {
  /** Rebuilt from the kept inbox copy: `id -> state` it was rebuilt in. */
  rebuilt: Record<string, TaskState>;
  /** Moved aside (`.tasks/quarantine/damaged/`) with no copy to rebuild from. */
  unrecoverable: string[];
  notes: string[];
}

/** Why a record's text is not a usable record, or undefined when it is one. */
export function recordDamage(text: string, id: string): string | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return text.length === 0 ? 'it is empty' : `it does not parse (${(err as Error).message})`;
  }
  const r = v as Partial<TaskRecord> | null;
  if (!r || typeof r !== 'object' || Array.isArray(r)) return 'it is not a JSON object';
  if (r.id !== id) return `it names task ${JSON.stringify(r.id)}, not ${id}`;
  if (!r.spec || typeof r.spec !== 'object' || typeof r.spec.tool !== 'string') return 'it has no task spec';
  if (typeof r.state !== 'string' || !(TASK_STATES as readonly string[]).includes(r.state))
    return 'it has no valid state';
  if (!Array.isArray(r.history) || typeof r.attempts !== 'number') return 'it lacks attempts or history';
  return undefined;
}

/** Every damaged record in the state folders. */
export async function findDamagedRecords(tasksDir: string): Promise<DamagedRecord[]> {
  const out: DamagedRecord[] = [];
  for (const state of TASK_STATES) {
    let names: string[];
    try {
      names = await fs.readdir(path.join(tasksDir, state));
    } catch {
      continue;
    }
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      const id = name.slice(0, -'.json'.length);
      const file = path.join(tasksDir, state, name);
      let text: string;
      try {
        const st = await fs.lstat(file);
        if (!st.isFile()) continue;
        text = await fs.readFile(file, 'utf8');
      } catch {
        continue;
      }
      const why = recordDamage(text, id);
      if (why) out.push({ id, state, file, why });
    }
  }
  return out;
}

interface SourceLine {
  spec: TaskSpec;
  /** The inbox file's own name (without the ingest stamp), line and hash, as ingest records them. */
  source: { file: string; line: number; hash: string };
  from: string;
}

/**
 * The last line of the kept inbox files (`.tasks/ingested/<stamp>--<name>`) that defines each
 * wanted id. Files are read oldest first, so a later "rerun" line wins.
 */
export async function findSourceLines(
  ingestedDir: string,
  ids: ReadonlySet<string>,
): Promise<Map<string, SourceLine>> {
  const found = new Map<string, SourceLine>();
  let names: string[];
  try {
    names = (await fs.readdir(ingestedDir)).sort();
  } catch {
    return found;
  }
  for (const name of names) {
    const file = path.join(ingestedDir, name);
    const st = await fs.lstat(file).catch(() => undefined);
    if (!st?.isFile()) continue;
    const original = name.includes('--') ? name.slice(name.indexOf('--') + 2) : name;
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    let lineNo = 0;
    for await (const raw of lines) {
      lineNo++;
      // Ingest strips a BOM and a CR before hashing; so must we, or a replay would not be recognised.
      const text = (lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw).replace(/\r$/, '');
      // Cheap pre-filter: most lines name other tasks.
      if (!text.includes('"id"')) continue;
      let value: unknown;
      try {
        value = JSON.parse(text.replace(/^\uFEFF/, ''));
      } catch {
        continue;
      }
      const id = (value as { id?: unknown } | null)?.id;
      if (typeof id !== 'string' || !ids.has(id)) continue;
      const parsed = TaskSpec.safeParse(value);
      if (!parsed.success) continue;
      const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
      found.set(id, { spec: parsed.data, source: { file: original, line: lineNo, hash }, from: name });
    }
  }
  return found;
}

/**
 * Handles records a torn write left unreadable (a power cut with fsync off, a disk error, a hand
 * edit): each is moved to `.tasks/quarantine/damaged/` (kept for inspection, out of every reader's
 * way) and, when the kept inbox copy of its line is found, rebuilt. A task that had not finished is
 * rebuilt as queued (it runs again: at-least-once); a done or failed one keeps its state, so it does
 * not run again. Without a copy, the task is reported as unrecoverable with where its bytes are.
 */
export async function repairDamagedRecords(
  tasksDir: string,
  ledger: Ledger,
  now: Date,
  opts: { fsync?: boolean } = {},
): Promise<DamageReport> {
  const report: DamageReport = { rebuilt: {}, unrecoverable: [], notes: [] };
  const damaged = await findDamagedRecords(tasksDir);
  if (damaged.length === 0) return report;
  const sources = await findSourceLines(path.join(tasksDir, 'ingested'), new Set(damaged.map((d) => d.id)));
  const asideDir = path.join(tasksDir, 'quarantine', 'damaged');
  await fs.mkdir(asideDir, { recursive: true });
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  for (const d of damaged) {
    const aside = path.join(asideDir, `${stamp}--${d.state}--${d.id}.json`);
    await fs.rename(d.file, aside);
    const shown = path.relative(path.dirname(tasksDir), aside);
    const src = sources.get(d.id);
    const taken = await stateOf(tasksDir, d.id);
    if (taken) {
      // Another copy of the task is readable (a crash between the rename and the cleanup).
      report.notes.push(
        `task ${d.id}: the record in ${d.state}/ was unreadable (${d.why}); the one in ${taken}/ is kept, the damaged one moved to ${shown}`,
      );
      continue;
    }
    if (!src) {
      report.unrecoverable.push(d.id);
      report.notes.push(
        `task ${d.id}: its ${d.state} record was unreadable (${d.why}) and no kept inbox line defines it; moved to ${shown}: submit the task again`,
      );
      await ledger.append({
        event: 'task.damaged',
        task: d.id,
        reason: `record in ${d.state}/ unreadable (${d.why}); not rebuilt: no kept inbox line`,
        file: shown,
      });
      continue;
    }
    const finished = d.state === 'done' || d.state === 'failed';
    const state: TaskState = finished ? d.state : 'queued';
    const at = now.toISOString();
    const reason = finished
      ? `record rebuilt from .tasks/ingested/${src.from} line ${src.source.line} after damage; its attempts are in the ledger`
      : `record was unreadable in ${d.state}/ (${d.why}); rebuilt from .tasks/ingested/${src.from} line ${src.source.line} and queued again`;
    const rec: TaskRecord = {
      id: d.id,
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
    await writeFileAtomic(path.join(tasksDir, state, `${d.id}.json`), `${JSON.stringify(rec, null, 1)}\n`, {
      fsync: opts.fsync ?? true,
    });
    report.rebuilt[d.id] = state;
    report.notes.push(`task ${d.id}: ${reason}; the damaged bytes are in ${shown}`);
    await ledger.append({ event: 'task.damaged', task: d.id, reason, file: shown });
  }
  return report;
}

async function stateOf(tasksDir: string, id: string): Promise<TaskState | undefined> {
  for (const s of TASK_STATES) {
    try {
      const text = await fs.readFile(path.join(tasksDir, s, `${id}.json`), 'utf8');
      if (recordDamage(text, id) === undefined) return s;
    } catch {
      // not in this state
    }
  }
  return undefined;
}
