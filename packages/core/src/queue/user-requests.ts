import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../fs/atomic.js';
import type { UserRequest, UserResponse } from '../run-state/requests.js';
import { validateTaskLine, type ValidationContext } from '../task/validate.js';
import { MissingTaskError } from './store.js';
import type { Transitions } from './transitions.js';

/** What the holder of the task state offers for a request about a running task. */
export interface RunningControl {
  /** Ends the running attempt of `id`; resolves with the state the task ended in. Undefined: not running here. */
  cancel(id: string): Promise<string> | undefined;
}

export interface RequestDeps {
  transitions: Transitions;
  running?: RunningControl;
  knownTools: readonly string[];
  /** Closes a tool's breaker everywhere (this process's and, through the resets file, the loops'). */
  resetBreaker(tool: string): Promise<void>;
  /** For resubmitting rejected lines (`retry --quarantined`). */
  validation: ValidationContext;
  inbox: string;
  by: 'worker' | 'cli';
}

type Answer = Omit<UserResponse, 'id' | 'by'>;

/**
 * Applies one user request with the same transitions the worker uses, and says what really
 * happened: exact counts, and a cancel is "cancelled" only when the task ended cancelled.
 * The caller is the one writer of task state (the worker, or the CLI holding the worker lock).
 */
export async function handleRequest(req: UserRequest, deps: RequestDeps): Promise<UserResponse> {
  const answer = await answerFor(req, deps).catch((err: unknown): Answer => ({
    exitCode: 1,
    lines: [],
    errors: [`could not ${req.kind}: ${err instanceof Error ? err.message : String(err)}`],
    result: {},
  }));
  return { id: req.id, by: deps.by, ...answer };
}

function answerFor(req: UserRequest, deps: RequestDeps): Promise<Answer> {
  switch (req.kind) {
    case 'retry':
      return retry(req, deps);
    case 'cancel':
      return cancel(req.task, deps);
    case 'reset-breaker':
      return resetBreaker(req.tool, deps);
  }
}

async function retry(req: Extract<UserRequest, { kind: 'retry' }>, deps: RequestDeps): Promise<Answer> {
  const store = deps.transitions.store;
  const errors: string[] = [];
  const targets = new Map<string, 'failed' | 'quarantine'>();
  let exitCode: 0 | 1 | 2 = 0;
  for (const id of req.tasks) {
    const found = await store.get(id);
    if (!found) {
      errors.push(`no task ${id}`);
      exitCode = 2;
    } else if (found.state !== 'failed' && found.state !== 'quarantine') {
      errors.push(`task ${id} is ${found.state}; only failed or quarantined tasks can be retried`);
      exitCode = Math.max(exitCode, 1) as 1 | 2;
    } else targets.set(id, found.state);
  }
  if (req.failed) for (const id of await store.ids('failed')) targets.set(id, 'failed');
  if (req.quarantined) for (const id of await store.ids('quarantine')) targets.set(id, 'quarantine');
  const requeued: string[] = [];
  for (const [id, from] of targets) {
    try {
      await deps.transitions.userRetry(id, from);
      requeued.push(id);
    } catch (err) {
      // Moved meanwhile (released by its breaker, retried by an earlier request): not counted.
      if (!(err instanceof MissingTaskError)) throw err;
    }
  }
  const lines = req.quarantined ? await retryRejectedLines(deps, req.discardRejected) : undefined;
  if (lines?.still.length && !req.discardRejected) exitCode = 2;
  const extra = lines
    ? `, ${lines.requeued} rejected line(s) resubmitted${lines.discarded ? `, ${lines.discarded} discarded` : ''}`
    : '';
  return {
    exitCode,
    lines: [`${requeued.length} task(s) back in the queue${extra}`],
    errors: [...errors, ...(lines?.still ?? [])],
    result: { requeued },
  };
}

async function cancel(id: string, deps: RequestDeps): Promise<Answer> {
  const found = await deps.transitions.store.get(id);
  if (!found) return { exitCode: 2, lines: [], errors: [`no task ${id}`], result: {} };
  if (found.state === 'queued' || found.state === 'quarantine') {
    try {
      await deps.transitions.cancel(id, found.state);
      return {
        exitCode: 0,
        lines: [`cancelled ${id} (was ${found.state})`],
        errors: [],
        result: { cancelled: true, state: 'failed' },
      };
    } catch (err) {
      if (!(err instanceof MissingTaskError)) throw err;
      return cancel(id, deps);
    }
  }
  if (found.state !== 'processing') {
    return {
      exitCode: 1,
      lines: [],
      errors: [`task ${id} is already ${found.state}; nothing to cancel`],
      result: { cancelled: false, state: found.state },
    };
  }
  const ended = deps.running?.cancel(id);
  if (!ended) {
    return {
      exitCode: 1,
      lines: [],
      errors: [
        `task ${id} is processing but no attempt of it is running here; run "headless recover" and try again`,
      ],
      result: { cancelled: false, state: 'processing' },
    };
  }
  const state = await ended;
  const rec = await deps.transitions.store.read(state as 'failed', id).catch(() => undefined);
  const cancelled = state === 'failed' && rec?.reason === 'cancelled by the user';
  if (cancelled) {
    return {
      exitCode: 0,
      lines: [`cancelled ${id}: its tool was ended, the task is failed`],
      errors: [],
      result: { cancelled, state },
    };
  }
  return {
    exitCode: 1,
    lines: [],
    errors: [
      `task ${id} ended as ${state} before the cancel took effect (${rec?.reason ?? 'its attempt had finished'})`,
    ],
    result: { cancelled, state },
  };
}

async function resetBreaker(tool: string, deps: RequestDeps): Promise<Answer> {
  if (!deps.knownTools.includes(tool)) {
    return {
      exitCode: 2,
      lines: [],
      errors: [`unknown tool "${tool}": configured tools are ${[...deps.knownTools].sort().join(', ')}`],
      result: {},
    };
  }
  await deps.resetBreaker(tool);
  return {
    exitCode: 0,
    lines: [`closed the breaker of ${tool} (worker and loops); its parked tasks return to the queue`],
    errors: [],
    result: { tool },
  };
}

/** Rejected lines are validated again (the config may have been fixed) and valid ones go back to the inbox. */
async function retryRejectedLines(
  deps: RequestDeps,
  discard: boolean,
): Promise<{ requeued: number; discarded: number; still: string[] }> {
  const store = deps.transitions.store;
  const good: string[] = [];
  const still: string[] = [];
  const goodKeys: string[] = [];
  const badKeys: string[] = [];
  for (const r of await store.listRejected()) {
    const v = r.raw ? validateTaskLine(r.raw, deps.validation) : { ok: false as const, reason: r.reason };
    if (v.ok && !(await store.get(v.spec.id))) {
      good.push(r.raw);
      goodKeys.push(r.key);
    } else {
      still.push(
        `${r.file}:${r.line}: ${discard ? 'discarded' : 'still rejected'}: ${v.ok ? `task ${v.spec.id} already exists` : v.reason}`,
      );
      badKeys.push(r.key);
    }
  }
  if (good.length) {
    await fs.mkdir(deps.inbox, { recursive: true });
    await writeFileAtomic(path.join(deps.inbox, `retry-${Date.now()}.jsonl`), `${good.join('\n')}\n`);
    for (const k of goodKeys) await store.removeRejected(k);
  }
  if (discard) for (const k of badKeys) await store.removeRejected(k);
  return { requeued: good.length, discarded: discard ? badKeys.length : 0, still };
}
