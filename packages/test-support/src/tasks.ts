import { Ledger } from '@headless/core/ledger/ledger';
import { layout } from '@headless/core/paths';
import { FolderStore } from '@headless/core/queue/folder-store';
import { Transitions } from '@headless/core/queue/transitions';
import type { EnqueueItem } from '@headless/core/queue/store';
import { TaskSpec, type TaskInput } from '@headless/core/task/schema';
import type { TaskRecord } from '@headless/core/task/record';

/**
 * A root's task state for tests, changed only through the same transitions the worker uses (so
 * records and ledger lines are what a real run leaves).
 */
export interface TestTasks {
  store: FolderStore;
  transitions: Transitions;
  ledger: Ledger;
  enqueue(inputs: readonly (TaskInput | EnqueueItem)[]): Promise<void>;
  /** Claims a queued task as worker `workerPid` (default: a pid that is not alive). */
  claim(id: string, workerPid?: number): Promise<TaskRecord>;
  /** Claims and ends a task's attempt as failed. */
  fail(id: string, reason?: string): Promise<TaskRecord>;
  /** Claims and ends a task's attempt as done. */
  complete(id: string): Promise<TaskRecord>;
  close(): Promise<void>;
}

/** A pid that is certainly not alive (above Linux's default pid_max). */
export const DEAD_PID = 2 ** 22 - 3;

export function testTasks(root: string, opts: { fsync?: boolean } = {}): TestTasks {
  const paths = layout(root);
  const store = new FolderStore(paths.tasksDir, {
    fsync: opts.fsync ?? false,
    ingestedDir: paths.ingestedDir,
  });
  const ledger = new Ledger(paths.ledger, { fsync: opts.fsync ?? false });
  const transitions = new Transitions(store, ledger);
  const claim = async (id: string, workerPid = DEAD_PID) => {
    const rec = await transitions.claim(id, { workerPid });
    if (!rec) throw new Error(`test: task ${id} is not queued`);
    return rec;
  };
  const end = async (id: string, to: 'done' | 'failed', reason: string) => {
    const rec = await claim(id);
    const now = new Date().toISOString();
    return transitions.endAttempt(
      id,
      {
        attempt: rec.attempts,
        startedAt: now,
        endedAt: now,
        outcome: to === 'done' ? 'success' : 'permanent',
        reason,
      },
      { tool: rec.spec.tool },
      to === 'done' ? { to: 'done' } : { to: 'failed', reason, outcome: 'permanent' },
    );
  };
  return {
    store,
    transitions,
    ledger,
    async enqueue(inputs) {
      await store.init();
      const items = inputs.map((i): EnqueueItem => ('spec' in i ? i : { spec: TaskSpec.parse(i) }));
      await transitions.enqueue(items);
    },
    claim,
    fail: (id, reason = 'exit code 1') => end(id, 'failed', reason),
    complete: (id) => end(id, 'done', 'ok'),
    close: () => ledger.close(),
  };
}
