import * as z from 'zod/mini';
import { stateFile, type StateFile } from './state-file.js';

/**
 * `.tasks/run/spend.json`: what the worker's spend book counts (US dollars from the ledger's
 * `attempt.end` usage), written after every attempt that cost something, so `headless status`
 * shows spend without reading the ledger. Days and months are local calendar ones.
 */
export const SpendSummarySchema = z.looseObject({
  /** The local day the figures are for (`2026-12-01`). */
  day: z.string().check(z.minLength(1)),
  todayUsd: z.number().check(z.nonnegative()),
  monthUsd: z.number().check(z.nonnegative()),
  byToolToday: z._default(z.record(z.string(), z.number().check(z.nonnegative())), {}),
  updatedAt: z.string().check(z.minLength(1)),
});
export type SpendSummary = z.infer<typeof SpendSummarySchema>;

export function spendFile(file: string): StateFile<SpendSummary> {
  return stateFile(file, SpendSummarySchema);
}

/** `2026-12-01` for the local day of `at`. */
export function localDay(at: Date): string {
  const m = String(at.getMonth() + 1).padStart(2, '0');
  const d = String(at.getDate()).padStart(2, '0');
  return `${at.getFullYear()}-${m}-${d}`;
}
