import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { repoDir } from './tree.mjs';

/** The file system type holding `dir` (longest mount-point prefix in /proc/mounts). */
function fsType(dir) {
  try {
    let best = { mount: '', type: 'unknown' };
    for (const line of fs.readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [, mount, type] = line.split(' ');
      if (!mount) continue;
      const prefix = mount.endsWith('/') ? mount : `${mount}/`;
      if ((`${dir}/`.startsWith(prefix) || dir === mount) && mount.length > best.mount.length)
        best = { mount, type };
    }
    return best.type;
  } catch {
    return 'unknown';
  }
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoDir, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

export function machineInfo() {
  const cpus = os.cpus();
  const tmp = process.env.HEADLESS_BENCH_TMP || os.tmpdir();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    tmpdir: tmp,
    tmpdirFs: fsType(fs.realpathSync(tmp)),
    commit: gitCommit(),
    // The 1-minute load average when the bench started: a busy machine explains wide spreads.
    loadAvg: Math.round(os.loadavg()[0] * 100) / 100,
  };
}
