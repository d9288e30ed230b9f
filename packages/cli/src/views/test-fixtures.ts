import type { LedgerRecord } from '@headless/core/ledger/record';
import type { TaskRecord, TaskState } from '@headless/core/task/record';
import { TaskSpec, type TaskInput } from '@headless/core/task/schema';
import type { TaskRecordWithResult } from './task-summary.js';

/** Test data of the CLI faces: one night of tasks, as records and ledger lines. */
export const NOW = Date.parse('2026-12-01T08:00:00.000Z');
export const at = (minutesAgo: number): string => new Date(NOW - minutesAgo * 60_000).toISOString();

export function record(
  spec: TaskInput,
  state: TaskState,
  over: Partial<TaskRecordWithResult> = {},
): TaskRecordWithResult {
  const base: TaskRecord = {
    id: spec.id,
    spec: TaskSpec.parse(spec),
    state,
    attempts: 1,
    crashes: 0,
    enqueuedAt: at(300),
    updatedAt: at(200),
    rev: 3,
    history: [],
  };
  return { ...base, ...over };
}

export function attempt(
  task: string,
  n: number,
  startMin: number,
  endMin: number | undefined,
  end: Partial<LedgerRecord> = {},
): LedgerRecord[] {
  const start: LedgerRecord = { v: 1, ts: at(startMin), event: 'attempt.start', task, attempt: n };
  if (endMin === undefined) return [start];
  return [
    start,
    {
      v: 1,
      ts: at(endMin),
      event: 'attempt.end',
      task,
      attempt: n,
      durationMs: (startMin - endMin) * 60_000,
      exitCode: 0,
      outcome: 'success',
      ...end,
    },
  ];
}

const PERMISSION_HINT =
  'claude reported success but 2 permission denials (Write, Bash): it may not have done the work; allow the tools with --allowedTools in tools.claude.argv, then headless retry night-suspect';
const BLOCKED =
  'blocked on input: claude asked "Do you want to proceed? (y/n)"; make it non-interactive (a model and an API key for aider; flags in tools.claude.argv)';

/** A mixed night: a success with a worktree, exit 3, a suspect success, one blocked on input, and more. */
export function night(): { records: TaskRecordWithResult[]; ledger: LedgerRecord[] } {
  const records: TaskRecordWithResult[] = [
    record({ id: 'night-ok', tool: 'claude', prompt: 'Write the parser' }, 'done', {
      updatedAt: at(170),
      result: {
        finalMessage: 'Wrote src/parser.ts and its tests.',
        worktree: {
          path: '/r/.tasks/worktrees/night-ok',
          branch: 'headless/night-ok',
          base: 'HEAD',
          baseSha: '1111111111111111111111111111111111111111',
          headSha: '2222222222222222222222222222222222222222',
          diffstat: { files: 2, insertions: 40, deletions: 3 },
          changedFiles: [
            { path: 'src/parser.ts', status: 'A', insertions: 30, deletions: 0 },
            { path: 'README.md', status: 'M', insertions: 10, deletions: 3 },
          ],
        },
        logPath: '/r/logs/task_night-ok.log',
      },
    }),
    record({ id: 'night-exit3', tool: 'git', args: ['pull'] }, 'failed', {
      updatedAt: at(150),
      reason:
        'exit code 3: fatal: refusing to merge unrelated histories; merge by hand in the repo, then headless retry night-exit3',
    }),
    record({ id: 'night-suspect', tool: 'claude', prompt: 'Fix the bug' }, 'done', { updatedAt: at(120) }),
    record({ id: 'night-blocked', tool: 'claude', prompt: 'Refactor' }, 'failed', {
      updatedAt: at(100),
      reason: BLOCKED,
    }),
    record({ id: 'old-done', tool: 'git', args: ['status'] }, 'done', {
      enqueuedAt: at(3000),
      updatedAt: at(2900),
    }),
    record({ id: 'next-up', tool: 'codex', prompt: 'Write tests', after: ['night-ok'] }, 'queued', {
      attempts: 0,
      enqueuedAt: at(10),
      updatedAt: at(10),
    }),
    record({ id: 'busy', tool: 'codex', prompt: 'Long job' }, 'processing', { updatedAt: at(5) }),
  ];
  const ledger: LedgerRecord[] = [
    ...attempt('night-ok', 1, 180, 170, {
      usage: { inputTokens: 12000, outputTokens: 3400, costUsd: 0.42 },
      sessionId: 'sess-ok',
    }),
    ...attempt('night-exit3', 1, 160, 159, { exitCode: 3, outcome: 'permanent', reason: 'exit code 3' }),
    {
      v: 1,
      ts: at(159),
      event: 'task.failed',
      task: 'night-exit3',
      outcome: 'permanent',
      reason: 'exit code 3',
    },
    ...attempt('night-suspect', 1, 130, 120, {
      usage: { inputTokens: 800, outputTokens: 200, costUsd: 0.05 },
    }),
    { v: 1, ts: at(120), event: 'task.done', task: 'night-suspect', attempt: 1, reason: PERMISSION_HINT },
    ...attempt('night-blocked', 1, 110, 100, { exitCode: null, outcome: 'permanent', reason: BLOCKED }),
    ...attempt('old-done', 1, 2950, 2949),
    ...attempt('busy', 1, 5, undefined),
    { v: 1, ts: at(4), event: 'attempt.end', task: 'unrelated', attempt: 1 },
  ];
  return { records, ledger };
}
