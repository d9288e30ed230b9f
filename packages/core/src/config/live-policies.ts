import fs from 'node:fs/promises';
import type { RootLayout } from '../paths.js';
import { loadConfig } from './load.js';
import type { PoliciesConfig } from './schema.js';

/**
 * The policies as they are in config/policies.json now: re-read when the file's mtime or size
 * changes, so a knob such as `disk.minFreeMb` takes effect without a restart. A file that does not
 * load (being edited, invalid) keeps the last good policies, and the error goes to `onError` once per change.
 */
export function livePolicies(
  layout: RootLayout,
  initial: PoliciesConfig,
  onError: (err: unknown) => void = () => undefined,
): () => Promise<PoliciesConfig> {
  let current = initial;
  let seen: string | undefined;
  return async () => {
    const st = await fs.stat(layout.policiesConfig).catch(() => undefined);
    const stamp = st ? `${st.mtimeMs}:${st.size}` : 'missing';
    if (seen === undefined) {
      seen = stamp;
      return current;
    }
    if (stamp === seen) return current;
    seen = stamp;
    try {
      current = (await loadConfig(layout)).policies;
    } catch (err) {
      onError(err);
    }
    return current;
  };
}
