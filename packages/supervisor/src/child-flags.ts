import type { Component } from '@headless/core/ipc/events';
import { SUPERVISOR_NODE_FLAGS } from './service/service-spec.js';

/**
 * V8 flags for the forked children, which are small long-lived daemons: a 1 MB young generation
 * (the default 16 MB semi-spaces are sized for throughput, and an idle daemon keeps them resident:
 * about 12 MB per process here) and, for the mostly idle orchestrator, no optimising compiler
 * (`--lite-mode`: about 10 MB less code and compiler memory; it spends its time waiting on timers).
 *
 * The worker's old generation grows by at most half its live size between full collections
 * (`--heap-growing-percent`; V8's own factor is up to 4x on a machine with gigabytes of memory).
 * A big inbox file makes the live heap spike while its records are parsed; with the default
 * factor the next collection was then set for four times that spike, and the garbage of the
 * following thousands of tasks filled it, resident long after the spike was gone
 * (bench/FINDINGS.md, lane growth). The heap's ceiling is unchanged, so a very long queue still fits.
 * `--expose-gc` lets the worker give that memory back once it is quiet again (core/src/memory/heap-release.ts).
 */
const SMALL_DAEMON: Record<Component, readonly string[]> = {
  worker: ['--max-semi-space-size=1', '--heap-growing-percent=50', '--expose-gc'],
  orchestrator: ['--max-semi-space-size=1', '--lite-mode'],
};

/**
 * The child's execArgv: the parent's own flags first, minus the supervisor's small-daemon flags (the
 * service puts those on the supervisor's command line; each child gets its own set); a flag the
 * parent sets otherwise is not overridden.
 */
export function childExecArgv(component: Component, parentExecArgv: readonly string[]): string[] {
  const named = (flag: string) => flag.split('=')[0] ?? flag;
  const inherited = parentExecArgv.filter((f) => !SUPERVISOR_NODE_FLAGS.includes(f));
  const parentNames = new Set(inherited.map(named));
  return [...inherited, ...SMALL_DAEMON[component].filter((f) => !parentNames.has(named(f)))];
}

/**
 * Environment for the forked children on Linux: glibc's malloc gives each thread that allocates
 * (V8's compiler and GC threads, libuv's pool) an arena of its own, up to eight per core, and keeps
 * what they free. Over 10,000 tasks the worker went from 4 arenas holding 5.4 MB to 7 holding 12.7 MB,
 * and grew again with each further 10,000; with two arenas it grew 6 MB and then stayed flat
 * (bench/FINDINGS.md, sessions 13–14). A value the user set (MALLOC_ARENA_MAX, or arena_max in
 * GLIBC_TUNABLES) is left alone; other platforms' allocators ignore it, so it is not set there.
 * Tools never see it unless listed in envPass (their environment is an allow-list).
 */
export function childMallocEnv(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): Record<string, string> {
  if (platform !== 'linux') return {};
  if (env.MALLOC_ARENA_MAX !== undefined || /arena_max/.test(env.GLIBC_TUNABLES ?? '')) return {};
  return { MALLOC_ARENA_MAX: '2' };
}
