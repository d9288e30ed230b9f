import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Set to `true` by scripts/bundle.mjs (esbuild `define`); never defined in the tsc build. */
declare const __HEADLESS_BUNDLE__: boolean | undefined;

/** The bundled entry files (scripts/bundle.mjs writes them side by side in the repository's dist/). */
export const BUNDLE_ENTRIES = {
  cli: 'headless.js',
  worker: 'worker.js',
  orchestrator: 'orchestrator.js',
  spawner: 'spawner.js',
  /** `headless status` alone, built without code splitting (cli/src/status-cli.ts says why). */
  status: 'status.js',
} as const;

export type BundleEntry = keyof typeof BUNDLE_ENTRIES;

/**
 * The path of a bundled entry when this code itself runs from the bundle, else undefined. A bundled
 * process starts bundled processes (and a tsc-built one tsc-built ones), so the two builds never
 * mix in one tree, and a stale bundle cannot slip under a test of the tsc output.
 */
export function bundledEntry(entry: BundleEntry): string | undefined {
  if (typeof __HEADLESS_BUNDLE__ === 'undefined' || !__HEADLESS_BUNDLE__) return undefined;
  // Every chunk of the bundle sits in the same folder as the entries.
  return path.join(path.dirname(fileURLToPath(import.meta.url)), BUNDLE_ENTRIES[entry]);
}
