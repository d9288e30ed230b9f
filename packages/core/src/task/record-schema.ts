import * as z from 'zod/mini';
import { TaskSpec } from './schema.js';
import { TASK_STATES, type TaskRecord } from './record.js';

const iso = z.string().check(z.minLength(1));
const int = z.number().check(z.int());
const nonNegativeInt = z.number().check(z.int(), z.nonnegative());
const positiveInt = z.number().check(z.int(), z.positive());
const nonNegative = z.number().check(z.nonnegative());

const AttemptSummarySchema = z.looseObject({
  attempt: nonNegativeInt,
  startedAt: iso,
  endedAt: z.optional(iso),
  outcome: z.optional(z.string()),
  reason: z.optional(z.string()),
  exitCode: z.optional(z.nullable(int)),
  limit: z.optional(z.enum(['usage', 'rate'])),
  sessionId: z.optional(z.string()),
});

const JournalEntrySchema = z.looseObject({
  rev: positiveInt,
  ts: iso,
  event: z.string().check(z.minLength(1)),
});

const UsageSchema = z.looseObject({
  inputTokens: z.optional(nonNegative),
  outputTokens: z.optional(nonNegative),
  costUsd: z.optional(nonNegative),
  costEstimated: z.optional(z.boolean()),
});

const ChangedFileSchema = z.looseObject({
  path: z.string(),
  status: z.string(),
  insertions: z.nullable(int),
  deletions: z.nullable(int),
});

/** `TaskRecord.result` (task/result.ts). Loose like the record: later fields survive a rewrite. */
export const TaskResultSchema = z.looseObject({
  finalMessage: z.optional(z.string()),
  usage: z.optional(UsageSchema),
  sessionId: z.optional(z.string()),
  durationMs: z.optional(nonNegative),
  exitCode: z.optional(z.nullable(int)),
  outcome: z.optional(z.string()),
  suspect: z.optional(z.string()),
  logPath: z.optional(z.string()),
  worktree: z.optional(
    z.looseObject({
      path: z.string(),
      branch: z.string(),
      base: z.string(),
      baseSha: z.string(),
      headSha: z.optional(z.string()),
      diffstat: z.optional(z.looseObject({ files: int, insertions: int, deletions: int })),
      changedFiles: z.optional(z.array(ChangedFileSchema)),
    }),
  ),
  verify: z.optional(
    z.array(
      z.looseObject({
        round: positiveInt,
        attempt: positiveInt,
        passed: z.boolean(),
        failed: z.array(z.string()),
        failures: z.array(z.string()),
        logs: z.array(z.string()),
        error: z.optional(z.string()),
        prompt: z.optional(z.string()),
      }),
    ),
  ),
});

/**
 * A task record file as stored (`.tasks/<state>/<id>.json` in the folder store). Loose: fields a
 * newer version adds survive a rewrite by this one.
 */
export const TaskRecordSchema = z.looseObject({
  id: z.string().check(z.minLength(1)),
  spec: TaskSpec,
  state: z.enum(TASK_STATES),
  attempts: nonNegativeInt,
  crashes: z._default(nonNegativeInt, 0),
  notBefore: z.optional(iso),
  enqueuedAt: iso,
  updatedAt: iso,
  rev: nonNegativeInt,
  source: z.optional(z.looseObject({ file: z.string(), line: int, hash: z.optional(z.string()) })),
  claim: z.optional(
    z.looseObject({
      workerPid: positiveInt,
      workerStart: z.optional(z.string()),
      claimedAt: iso,
      toolPid: z.optional(positiveInt),
      toolStart: z.optional(z.string()),
    }),
  ),
  reason: z.optional(z.string()),
  quarantineKind: z.optional(z.enum(['breaker', 'invalid', 'manual', 'attention'])),
  sessionId: z.optional(z.string().check(z.minLength(1))),
  history: z._default(z.array(AttemptSummarySchema), []),
  journal: z.optional(z.array(JournalEntrySchema)),
  result: z.optional(TaskResultSchema),
});

/** Why a record's text is not a usable record of task `id`, or the record. */
export function parseTaskRecord(
  text: string,
  id: string,
): { ok: true; record: TaskRecord } | { ok: false; why: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return {
      ok: false,
      why: text.length === 0 ? 'it is empty' : `it does not parse (${(err as Error).message})`,
    };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return { ok: false, why: 'it is not a JSON object' };
  const named = (value as { id?: unknown }).id;
  if (named !== id) return { ok: false, why: `it names task ${JSON.stringify(named)}, not ${id}` };
  const parsed = TaskRecordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, why: `${issue?.path.join('.') || 'record'}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, record: parsed.data as TaskRecord };
}
