import { spawn } from 'node:child_process';
import { expect } from '@jest/globals';
import { linuxOnly } from './platform.js';
import { killProcessesNaming, pidsNaming } from './leftovers.js';
import { waitFor } from './wait-for.js';

const linux = linuxOnly('reads command lines from /proc');

linux.it('finds and kills the processes whose command line names a text, and no others', async () => {
  const tag = `leftover-${process.pid}-${Date.now()}`;
  const child = spawn(process.execPath, ['-e', 'setInterval(() => 0, 1000)', tag], { stdio: 'ignore' });
  const other = spawn(process.execPath, ['-e', 'setInterval(() => 0, 1000)', 'other'], { stdio: 'ignore' });
  try {
    await waitFor('the child listed', () => pidsNaming(tag).includes(child.pid ?? -1));
    expect(pidsNaming(tag)).toEqual([child.pid]);
    const exited = new Promise((r) => child.once('exit', (_c, sig) => r(sig)));
    killProcessesNaming(tag);
    expect(await exited).toBe('SIGKILL');
    expect(other.exitCode).toBeNull();
  } finally {
    child.kill('SIGKILL');
    other.kill('SIGKILL');
  }
});
