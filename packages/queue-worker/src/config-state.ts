import path from 'node:path';
import * as z from 'zod/mini';
import { stateFile, type StateFile } from '@headless/core/run-state/state-file';

/** `.tasks/run/config-state.json`: whether the worker refused a changed config/ file; `status` shows it. */
const ConfigStateSchema = z.looseObject({
  pid: z.number().check(z.int()),
  /** The refusal (file, field, what to do), while the files on disk are invalid. */
  refused: z.optional(z.string()),
  at: z.string(),
});
export type ConfigState = z.infer<typeof ConfigStateSchema>;

export const configStateFile = (runDir: string): StateFile<ConfigState> =>
  stateFile(path.join(runDir, 'config-state.json'), ConfigStateSchema);

/** The worker's config state; absent or damaged reads as none (status then shows no refusal). */
export async function readConfigState(runDir: string): Promise<ConfigState | undefined> {
  return configStateFile(runDir)
    .read()
    .catch(() => undefined);
}
