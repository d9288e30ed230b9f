// Finds the processes of one campaign in /proc (Linux): every process we start carries
// CHAOS_RUN=<id> in its environment, and tools inherit it (CHAOS_* is on the tools' envPass), so a
// leftover tool or grandchild is found even after its parent is gone.
import fs from 'node:fs';
import { BUNDLED } from './common.mjs';

export const hasProcfs = fs.existsSync('/proc/self/stat');

function readStat(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const fields = text.slice(close + 2).split(' ');
    return { state: fields[0], ppid: Number(fields[1]), pgid: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

function readNul(file) {
  try {
    return fs.readFileSync(file, 'latin1').split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
}

/** Live (not zombie) processes whose environment holds CHAOS_RUN=<runId>. */
export function markedProcesses(runId, exceptPids = []) {
  if (!hasProcfs) return [];
  const want = `CHAOS_RUN=${runId}`;
  const skip = new Set([process.pid, ...exceptPids]);
  const out = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (skip.has(pid)) continue;
    const env = readNul(`/proc/${pid}/environ`);
    if (!env || !env.includes(want)) continue;
    const stat = readStat(pid);
    if (!stat || stat.state === 'Z' || stat.state === 'X') continue;
    out.push({ pid, ppid: stat.ppid, cmd: (readNul(`/proc/${pid}/cmdline`) ?? []).join(' ').slice(0, 300) });
  }
  return out;
}

// The worker's spawner (core/src/process/spawner-child.ts) carries CHAOS_RUN like every process of
// the tree, so a spawner left behind counts as an orphan; this names it for a kill.
const NEEDLES = BUNDLED
  ? { worker: '/dist/worker.js', orchestrator: '/dist/orchestrator.js', spawner: '/dist/spawner.js' }
  : {
      worker: 'queue-worker/dist/child.js',
      orchestrator: 'orchestrator/dist/child.js',
      spawner: 'core/dist/process/spawner-child.js',
    };

/** The pid of a component's child process (`.../dist/child.js --root <root>`), if one runs. */
export function componentPid(runId, component) {
  const needle = NEEDLES[component];
  return markedProcesses(runId).find((p) => p.cmd.includes(needle))?.pid;
}

export function isAlive(pid) {
  const s = readStat(pid);
  return s !== undefined && s.state !== 'Z' && s.state !== 'X';
}

export function killNow(pid) {
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}
