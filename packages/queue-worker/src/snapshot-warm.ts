import path from 'node:path';
import { configFromTexts } from '@headless/core/config/load';
import { layout } from '@headless/core/paths';
import { PidLockSchema } from '@headless/core/run-state/pid-lock';
import { WorkerHeartbeatSchema } from '@headless/core/run-state/heartbeat';
import { parseTaskRecord } from '@headless/core/task/record-schema';
import { TaskSpec } from '@headless/core/task/schema';

const AT = '2026-01-01T00:00:00.000Z';
const SPEC = { id: 'snapshot-warm', tool: 'true', args: ['--version'], env: { A: 'b' }, after: ['x'] };

/** One value of each schema a booting worker and its first task parse, each as it is stored. */
const SAMPLES: Record<string, () => boolean> = {
  'config (built-in)': () => {
    configFromTexts(layout(path.resolve('/headless-snapshot-build')), {
      tools: undefined,
      policies: undefined,
    });
    return true;
  },
  'worker lock': () =>
    PidLockSchema.safeParse({ pid: 1, startTime: '1', token: '0123456789abcdef', at: AT }).success,
  heartbeat: () =>
    WorkerHeartbeatSchema.safeParse({
      pid: 1,
      startedAt: AT,
      at: AT,
      state: 'running',
      supervised: true,
      running: [{ id: SPEC.id, attempt: 1, tool: 'true', pid: 2, startedAt: AT }],
    }).success,
  'task line': () => TaskSpec.safeParse(SPEC).success,
  'task record': () =>
    parseTaskRecord(
      JSON.stringify({
        id: SPEC.id,
        spec: TaskSpec.parse(SPEC),
        state: 'processing',
        attempts: 1,
        enqueuedAt: AT,
        updatedAt: AT,
        rev: 1,
        source: { file: 'inbox/a.jsonl', line: 1 },
        claim: { workerPid: 1, claimedAt: AT },
        history: [],
      }),
      SPEC.id,
    ).ok,
};

/**
 * Runs while the worker's startup snapshot is built (snapshot-entry.ts), never in a running worker:
 * zod builds a schema's parser at its first use, so parsing one stored value of each schema the
 * boot and the first task read leaves those parsers built in the snapshot's heap. Pure: it reads no
 * file, no environment and no clock, so nothing of the build machine is kept. Returns the samples
 * that did not parse (a schema changed and its sample was not updated): none, or the warm-up is lost.
 */
export function warmSchemas(): string[] {
  return Object.entries(SAMPLES)
    .filter(([, parse]) => !parse())
    .map(([name]) => name);
}
