import * as z from 'zod/mini';
import { stateFile, type StateFile } from './state-file.js';

/**
 * `.tasks/run/batches.json`: for each inbox file whose tasks have not all ended, the ids queued
 * from it. Written by the worker when a file's tasks are queued and when its `batch.done` goes
 * out, so a restart in the middle of a batch still sends it: the worker reloads the ids and asks
 * the store which of them have ended meanwhile.
 */
export const BatchesSchema = z.record(z.string(), z.looseObject({ ids: z.array(z.string()) }));
export type Batches = z.infer<typeof BatchesSchema>;

export function batchesFile(file: string): StateFile<Batches> {
  return stateFile(file, BatchesSchema);
}
