import fs from 'node:fs';

/** Linux /proc readers: process tree, liveness (a zombie counts as gone), memory and CPU ticks. */

export const CLK_TCK = 100; // sysconf(_SC_CLK_TCK) on every Linux this runs on
export const PAGE_KB = 4;

function readStat(pid) {
  let text;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm may hold spaces and parentheses: split after the last ')'.
  const close = text.lastIndexOf(')');
  const f = text.slice(close + 2).split(' ');
  return {
    state: f[0],
    ppid: Number(f[1]),
    pgid: Number(f[2]),
    utime: Number(f[11]),
    stime: Number(f[12]),
    startTime: f[19],
    rssPages: Number(f[21]),
  };
}

export function alive(pid) {
  const st = readStat(pid);
  return st !== undefined && st.state !== 'Z' && st.state !== 'X';
}

/** Every live descendant of `root` (not `root` itself), from one pass over /proc. */
export function descendants(root) {
  const children = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readStat(name);
    if (!st || st.state === 'Z' || st.state === 'X') continue;
    const list = children.get(st.ppid) ?? [];
    list.push(Number(name));
    children.set(st.ppid, list);
  }
  const out = [];
  const stack = [root];
  while (stack.length) {
    for (const c of children.get(stack.pop()) ?? []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

export function cmdline(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** Resident memory in KiB (VmRSS), or 0 when the process is gone. */
export function rssKb(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** utime + stime in clock ticks, or undefined when the process is gone. */
export function cpuTicks(pid) {
  const st = readStat(pid);
  return st ? st.utime + st.stime : undefined;
}

/**
 * Which process of the tree a command line is: the tsc build forks packages/queue-worker/dist/child.js
 * and packages/orchestrator/dist/child.js, the bundle dist/worker.js and dist/orchestrator.js; the
 * worker's spawner is packages/core/dist/process/spawner-child.js or dist/spawner.js.
 */
export function componentOf(args) {
  const line = Array.isArray(args) ? args.join(' ') : args;
  if (/[\\/]spawner(?:-child)?\.js\b/.test(line)) return 'spawner';
  if (/queue-worker[\\/]|[\\/]worker\.js\b/.test(line)) return 'worker';
  if (/orchestrator[\\/]|[\\/]orchestrator\.js\b/.test(line)) return 'orchestrator';
  if (/ start\b/.test(line)) return 'supervisor';
  return undefined;
}

/**
 * Proportional set size in KiB (/proc/<pid>/smaps_rollup): a page shared by n processes counts 1/n
 * in each, so the sum over a tree counts the node binary's pages once (VmRSS counts them per process).
 * 0 when the process is gone or the kernel has no smaps_rollup.
 */
export function pssKb(pid) {
  try {
    const m = /^Pss:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}
