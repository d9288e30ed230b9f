import type { QueueStore } from '@headless/core/queue/store';
import type { Transitions, LedgerSink, LedgerLine } from '@headless/core/queue/transitions';
import { TASK_STATES } from '@headless/core/task/record';
import { TaskSpec, type TaskInput } from '@headless/core/task/schema';
import type { StoreHarness } from './store-contract.js';

/** Shared parts of the store contract suite. */
export class MemoryLedger implements LedgerSink {
  readonly lines: LedgerLine[] = [];
  append(rec: LedgerLine): Promise<void> {
    this.lines.push(rec);
    return Promise.resolve();
  }
}

export const spec = (input: TaskInput) => TaskSpec.parse(input);
export const OWNER = { workerPid: 2 ** 22 - 3 };

export async function statesOf(store: QueueStore, id: string): Promise<string[]> {
  const out: string[] = [];
  for (const s of TASK_STATES) if ((await store.ids(s)).includes(id)) out.push(s);
  return out;
}

export type WithStore = (
  fn: (h: StoreHarness, t: Transitions, ledger: MemoryLedger) => Promise<void>,
) => Promise<void>;

export async function endAs2(t: Transitions, id: string): Promise<void> {
  const now = new Date().toISOString();
  await t.endAttempt(id, { attempt: 1, startedAt: now, endedAt: now }, { tool: 'git' }, { to: 'done' });
}
