// The recovery baseline: the least a supervisor can do. The parent forks a bare Node child and forks
// it again the moment it exits; a re-forked child starts the `stamp` command at once. The parent
// prints each child's pid. Usage: node plain-restarter.mjs <stampFile>
import { fork, spawn } from 'node:child_process';
import process from 'node:process';

if (process.argv[2] === '--child') {
  if (process.argv[4] === 'again') {
    spawn('sh', ['-c', 'date +%s%N >> "$0"', process.argv[3]], { stdio: 'ignore' });
  }
  setInterval(() => {}, 1 << 30);
} else {
  const stampFile = process.argv[2];
  const boot = (again) => {
    const child = fork(process.argv[1], ['--child', stampFile, again ? 'again' : 'first'], {
      stdio: 'ignore',
    });
    process.stdout.write(`${child.pid}\n`);
    child.once('exit', () => boot(true));
  };
  boot(false);
}
