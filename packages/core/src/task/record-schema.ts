import { z } from 'zod';
import { TaskSpec } from './schema.js';
import { TASK_STATES, type TaskRecord } from './record.js';

const iso = z.string().min(1);

const AttemptSummarySchema = z.looseObject({
  attempt: z.number().int().nonnegative(),
  startedAt: iso,
  endedAt: iso.optional(),
  outcome: z.string().optional(),
  reason: z.string().optional(),
  exitCode: z.number().int().nullable().optional(),
  limit: z.enum(['usage', 'rate']).optional(),
  sessionId: z.string().optional(),
});

const JournalEntrySchema = z.looseObject({
  rev: z.number().int().positive(),
  ts: iso,
  event: z.string().min(1),
});

const UsageSchema = z.looseObject({
  inputTokens: z.number().nonnegative().optional(),
  outputTokens: z.number().nonnegative().optional(),
  costUsd: z.number().nonnegative().optional(),
  costEstimated: z.boolean().optional(),
});

const ChangedFileSchema = z.looseObject({
  path: z.string(),
  status: z.string(),
  insertions: z.number().int().nullable(),
  deletions: z.number().int().nullable(),
});

/** `TaskRecord.result` (task/result.ts). Loose like the record: later fields survive a rewrite. */
export const TaskResultSchema = z.looseObject({
  finalMessage: z.string().optional(),
  usage: UsageSchema.optional(),
  sessionId: z.string().optional(),
  durationMs: z.number().nonnegative().optional(),
  exitCode: z.number().int().nullable().optional(),
  outcome: z.string().optional(),
  suspect: z.string().optional(),
  logPath: z.string().optional(),
  worktree: z
    .looseObject({
      path: z.string(),
      branch: z.string(),
      base: z.string(),
      baseSha: z.string(),
      headSha: z.string().optional(),
      diffstat: z
        .looseObject({ files: z.number().int(), insertions: z.number().int(), deletions: z.number().int() })
        .optional(),
      changedFiles: z.array(ChangedFileSchema).optional(),
    })
    .optional(),
  verify: z
    .array(
      z.looseObject({
        round: z.number().int().positive(),
        attempt: z.number().int().positive(),
        passed: z.boolean(),
        failed: z.array(z.string()),
        failures: z.array(z.string()),
        logs: z.array(z.string()),
        error: z.string().optional(),
        prompt: z.string().optional(),
      }),
    )
    .optional(),
});

/**
 * A task record file as stored (`.tasks/<state>/<id>.json` in the folder store). Loose: fields a
 * newer version adds survive a rewrite by this one.
 */
export const TaskRecordSchema = z.looseObject({
  id: z.string().min(1),
  spec: TaskSpec,
  state: z.enum(TASK_STATES),
  attempts: z.number().int().nonnegative(),
  crashes: z.number().int().nonnegative().default(0),
  notBefore: iso.optional(),
  enqueuedAt: iso,
  updatedAt: iso,
  rev: z.number().int().nonnegative(),
  source: z.looseObject({ file: z.string(), line: z.number().int(), hash: z.string().optional() }).optional(),
  claim: z
    .looseObject({
      workerPid: z.number().int().positive(),
      workerStart: z.string().optional(),
      claimedAt: iso,
      toolPid: z.number().int().positive().optional(),
      toolStart: z.string().optional(),
    })
    .optional(),
  reason: z.string().optional(),
  quarantineKind: z.enum(['breaker', 'invalid', 'manual', 'attention']).optional(),
  sessionId: z.string().min(1).optional(),
  history: z.array(AttemptSummarySchema).default([]),
  journal: z.array(JournalEntrySchema).optional(),
  result: TaskResultSchema.optional(),
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
