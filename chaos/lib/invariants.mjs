// The checks every campaign ends with: where each task is, what the ledger says about it, and what
// is left lying around. Reads the folders directly (the folder a record is in is its state).
import fsp from 'node:fs/promises';
import path from 'node:path';
import { readLedger } from '../../packages/core/dist/ledger/ledger.js';

export const STATES = ['queued', 'processing', 'done', 'failed', 'quarantine'];

/** Every record in every state folder: id -> [{ state, record | undefined (unreadable) }]. */
export async function taskPlaces(root) {
  const places = new Map();
  const damaged = [];
  for (const state of STATES) {
    let names;
    try {
      names = await fsp.readdir(path.join(root, '.tasks', state));
    } catch {
      continue;
    }
    for (const n of names) {
      if (!n.endsWith('.json')) continue;
      const id = n.slice(0, -5);
      let record;
      try {
        record = JSON.parse(await fsp.readFile(path.join(root, '.tasks', state, n), 'utf8'));
      } catch {
        damaged.push(`${state}/${n}`);
      }
      if (!places.has(id)) places.set(id, []);
      places.get(id).push({ state, record });
    }
  }
  return { places, damaged };
}

/**
 * Checks the queue and ledger against what was submitted. `expected` maps each submitted id to the
 * state it must end in ('done' or 'failed'). Returns counts and a list of violations (empty = pass).
 */
export async function checkQueue(root, expected) {
  const { places, damaged } = await taskPlaces(root);
  const ledger = await readLedger(path.join(root, 'logs', 'ledger.jsonl'));
  const violations = [];
  const counts = { lost: 0, duplicated: 0, inProcessing: 0, notTerminal: 0, wrongEnd: 0, stateMismatch: 0 };

  for (const [id, want] of expected) {
    const at = places.get(id) ?? [];
    if (at.length === 0) {
      counts.lost++;
      violations.push(`task ${id} is in no state folder (lost)`);
      continue;
    }
    if (at.length > 1) {
      counts.duplicated++;
      violations.push(`task ${id} is in ${at.map((p) => p.state).join(' and ')}`);
    }
    const { state, record } = at[0];
    if (state === 'processing') counts.inProcessing++;
    if (state !== 'done' && state !== 'failed') {
      counts.notTerminal++;
      violations.push(`task ${id} ended in ${state}${record?.reason ? ` (${record.reason})` : ''}`);
    } else if (state !== want) {
      counts.wrongEnd++;
      violations.push(
        `task ${id} ended ${state}, expected ${want}${record?.reason ? ` (${record.reason})` : ''}`,
      );
    }
    if (record && record.state !== state) {
      counts.stateMismatch++;
      violations.push(`task ${id}: record says ${record.state} but it is in ${state}/`);
    }
  }
  for (const d of damaged) violations.push(`unreadable record ${d}`);
  for (const [id, at] of places)
    if (!expected.has(id) && at.some((p) => p.state === 'processing')) counts.inProcessing++;

  // At-least-once: two successful ends only where an attempt was interrupted (a crash between the
  // tool's success and the move to done).
  const byTask = new Map();
  for (const r of ledger.records) {
    if (!r.task) continue;
    if (!byTask.has(r.task)) byTask.set(r.task, { success: 0, interrupted: 0, queued: 0, starts: 0 });
    const t = byTask.get(r.task);
    if (r.event === 'attempt.end' && r.outcome === 'success') t.success++;
    if (r.event === 'attempt.end' && r.outcome === 'interrupted') t.interrupted++;
    if (r.event === 'task.queued') t.queued++;
    if (r.event === 'attempt.start') t.starts++;
  }
  let duplicateRuns = 0;
  let unexplainedDuplicates = 0;
  let interruptedAttempts = 0;
  let doneWithoutSuccess = 0;
  const missingQueued = [];
  for (const [id, want] of expected) {
    const t = byTask.get(id) ?? { success: 0, interrupted: 0, queued: 0, starts: 0 };
    interruptedAttempts += t.interrupted;
    if (t.success > 1) {
      duplicateRuns++;
      if (t.interrupted === 0) {
        unexplainedDuplicates++;
        violations.push(`task ${id} has ${t.success} successful ends and no interrupted attempt`);
      }
    }
    if (want === 'done' && places.get(id)?.[0]?.state === 'done' && t.success === 0) {
      doneWithoutSuccess++;
      violations.push(`task ${id} is done but the ledger shows no successful attempt`);
    }
    // A ledger gap, not a lost task (FINDINGS F7): reported apart.
    if (t.queued === 0) missingQueued.push(id);
  }
  if (ledger.skipped.length)
    violations.push(
      `ledger: ${ledger.skipped.length} line(s) do not parse (first: line ${ledger.skipped[0].line})`,
    );

  return {
    counts,
    damaged: damaged.length,
    ledger: { records: ledger.records.length, skipped: ledger.skipped.length },
    duplicateRuns,
    unexplainedDuplicates,
    interruptedAttempts,
    doneWithoutSuccess,
    missingQueued,
    violations,
  };
}

/** Files a crash can leave: `*.tmp` in the task folders and inbox files not yet read. */
export async function leftovers(root) {
  const out = { tmp: [], inbox: [] };
  for (const dir of [...STATES, 'inbox']) {
    let names;
    try {
      names = await fsp.readdir(path.join(root, '.tasks', dir));
    } catch {
      continue;
    }
    for (const n of names) {
      if (n.endsWith('.tmp')) out.tmp.push(`${dir}/${n}`);
      else if (dir === 'inbox' && n.endsWith('.jsonl')) out.inbox.push(n);
    }
  }
  return out;
}
