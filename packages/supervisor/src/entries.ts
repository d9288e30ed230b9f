import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledEntry } from '@headless/core/bundle';
import type { Component } from '@headless/core/ipc/events';

/** The env variables that override a child's entry script (tests, development). */
export const ENTRY_ENV: Record<Component, string> = {
  worker: 'HEADLESS_WORKER_ENTRY',
  orchestrator: 'HEADLESS_ORCHESTRATOR_ENTRY',
};

const SPECIFIERS: Record<Component, string> = {
  worker: '@headless/queue-worker/child',
  orchestrator: '@headless/orchestrator/child',
};

const PACKAGE_DIRS: Record<Component, string> = {
  worker: 'queue-worker',
  orchestrator: 'orchestrator',
};

/**
 * The script forked for a component: the env override, else the bundled child when the supervisor
 * runs from the bundle, else the package's dist/child.js. Resolution may fail while the package is not built yet: then
 * the expected path is returned and the supervisor reports it as missing at fork time.
 */
export function resolveChildEntry(component: Component, env: NodeJS.ProcessEnv = process.env): string {
  const override = env[ENTRY_ENV[component]];
  if (override) return path.resolve(override);
  const bundled = bundledEntry(component);
  if (bundled) return bundled;
  try {
    return fileURLToPath(import.meta.resolve(SPECIFIERS[component]));
  } catch {
    // dist/entries.js -> packages/supervisor -> packages/<pkg>/dist/child.js
    const here = path.dirname(fileURLToPath(import.meta.url));
    return path.resolve(here, '..', '..', PACKAGE_DIRS[component], 'dist', 'child.js');
  }
}
