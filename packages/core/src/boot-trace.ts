import fs from 'node:fs';
import { performance } from 'node:perf_hooks';

/**
 * Boot phase marks for the bench (`bench/boot-trace.mjs`): with `HEADLESS_BOOT_TRACE=<file>` in the
 * environment a process appends one JSON line `{pid, component, marks: [[name, ms since the process
 * started], ...]}` to that file when it says its boot is done. Without the variable every call is a
 * no-op, so the marks cost nothing in a normal run.
 */
const marks: [string, number][] = [];
// Read at each call, not at load: the worker's startup snapshot evaluates this module at build time.
const target = (): string | undefined => process.env['HEADLESS_BOOT_TRACE'];

export function bootMark(name: string): void {
  if (target()) marks.push([name, Math.round(performance.now() * 10) / 10]);
}

/** Writes the marks so far (and the process's CPU time) to the trace file, once. */
export function bootTraceDone(component: string): void {
  const file = target();
  if (!file || marks.length === 0) return;
  bootMark('done');
  const cpu = process.cpuUsage();
  const line = {
    pid: process.pid,
    component,
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    marks: [...marks],
  };
  marks.length = 0;
  try {
    fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
  } catch {
    // a bench aid: never a reason to stop a worker
  }
}
