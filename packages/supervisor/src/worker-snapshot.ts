import fs from 'node:fs';
import path from 'node:path';
import type { Component } from '@headless/core/ipc/events';
import { bundledEntry } from '@headless/core/bundle';

/** The snapshot's files in dist/, next to worker.js (scripts/bundle.mjs writes them). */
export const SNAPSHOT_FILES = { blob: 'worker.blob', stamp: 'worker.blob.json' } as const;

/** Set to `off` to fork the plain bundled worker even where its startup snapshot is built. */
export const SNAPSHOT_ENV = 'HEADLESS_WORKER_SNAPSHOT';

/** dist/worker.blob.json, written by scripts/bundle.mjs next to the blob: the Node that built it. */
export interface SnapshotStamp {
  node: string;
  platform: string;
  arch: string;
}

export interface SnapshotChoice {
  component: Component;
  /** The script about to be forked. */
  entry: string;
  /** The bundled worker.js when this supervisor runs from the bundle, else undefined. */
  bundledWorker: string | undefined;
  /** The stamp's content, undefined when there is no stamp or no blob. */
  stamp: unknown;
  runtime: SnapshotStamp;
  env: NodeJS.ProcessEnv;
}

/** This process's Node, as a stamp: what scripts/bundle.mjs records and a fork compares. */
export function runtimeStamp(): SnapshotStamp {
  return { node: process.version, platform: process.platform, arch: process.arch };
}

/**
 * Whether to fork the worker from its startup snapshot, and the flag that does: only the bundled
 * worker (a test's entry override or the tsc build never), never with `HEADLESS_WORKER_SNAPSHOT=off`,
 * and only with the Node that built the blob (another one refuses it at start, and the supervisor
 * would restart a worker that cannot boot). Not on Windows yet: the blob is not built there.
 */
export function snapshotArgs(c: SnapshotChoice, blob: string): string[] {
  if (c.component !== 'worker' || c.bundledWorker === undefined) return [];
  if (path.resolve(c.entry) !== path.resolve(c.bundledWorker)) return [];
  if (c.env[SNAPSHOT_ENV] === 'off' || c.runtime.platform === 'win32') return [];
  const s = c.stamp as Partial<SnapshotStamp> | undefined;
  const same = s?.node === c.runtime.node && s.platform === c.runtime.platform && s.arch === c.runtime.arch;
  return same ? ['--snapshot-blob', blob] : [];
}

/** snapshotArgs for this process: reads dist/worker.blob.json at each fork (a rebuild may change it). */
export function workerSnapshotArgs(component: Component, entry: string, env: NodeJS.ProcessEnv): string[] {
  const bundledWorker = component === 'worker' ? bundledEntry('worker') : undefined;
  if (bundledWorker === undefined) return [];
  const dir = path.dirname(bundledWorker);
  const blob = path.join(dir, SNAPSHOT_FILES.blob);
  let stamp: unknown;
  try {
    if (fs.existsSync(blob))
      stamp = JSON.parse(fs.readFileSync(path.join(dir, SNAPSHOT_FILES.stamp), 'utf8'));
  } catch {
    stamp = undefined; // no stamp or a torn one: the plain fork
  }
  return snapshotArgs({ component, entry, bundledWorker, stamp, runtime: runtimeStamp(), env }, blob);
}
