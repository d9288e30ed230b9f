import fs from 'node:fs';

/**
 * Pids of live processes whose command line contains `text` (Linux: /proc; [] elsewhere). A test
 * root's path names every process started for it, including one forked an instant before its
 * parent was killed, which has not written its pid anywhere yet.
 */
export function pidsNaming(text: string): number[] {
  if (process.platform !== 'linux') return [];
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${name}/cmdline`, 'latin1').includes(text)) out.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/** SIGKILLs every process naming `text` (see pidsNaming); what a failed test left must not outlive it. */
export function killProcessesNaming(text: string): void {
  for (const pid of pidsNaming(text)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
}
