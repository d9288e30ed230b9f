import type { Component } from '@headless/core/ipc/events';

/**
 * V8 flags for the forked children, which are small long-lived daemons: a 1 MB young generation
 * (the default 16 MB semi-spaces are sized for throughput, and an idle daemon keeps them resident:
 * about 12 MB per process here) and, for the mostly idle orchestrator, no optimising compiler
 * (`--lite-mode`: about 10 MB less code and compiler memory; it spends its time waiting on timers).
 */
const SMALL_DAEMON: Record<Component, readonly string[]> = {
  worker: ['--max-semi-space-size=1'],
  orchestrator: ['--max-semi-space-size=1', '--lite-mode'],
};

/** The child's execArgv: the parent's own flags first; a flag the parent already sets is not overridden. */
export function childExecArgv(component: Component, parentExecArgv: readonly string[]): string[] {
  const named = (flag: string) => flag.split('=')[0] ?? flag;
  const parentNames = new Set(parentExecArgv.map(named));
  return [...parentExecArgv, ...SMALL_DAEMON[component].filter((f) => !parentNames.has(named(f)))];
}
