import type { QueueStore, RepairReport } from './store.js';
import type { LedgerSink } from './transitions.js';

/** Runs the store's own repair and writes a ledger line for each damaged record it handled. */
export async function repairStore(store: QueueStore, ledger: LedgerSink, now: Date): Promise<RepairReport> {
  const report = await store.repair(now);
  for (const e of report.events) await ledger.append(e);
  return report;
}
