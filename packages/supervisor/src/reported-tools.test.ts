import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, expect, it } from '@jest/globals';
import { linuxOnly } from '@headless/test-support/platform';
import { waitFor } from '@headless/test-support/wait-for';
import { ReportedTools } from './reported-tools.js';

const linux = linuxOnly('reads parent pids from /proc');
const started: ChildProcess[] = [];
const grandchildren: number[] = [];
afterEach(() => {
  for (const c of started.splice(0)) c.kill('SIGKILL');
  // Orphaned by the kill above: ended by pid, or each run would leave one behind.
  for (const pid of grandchildren.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
});

/** A process that starts a child and prints its pid (a spawner and its tool). */
async function parentWithChild(): Promise<{ parent: number; child: number }> {
  const p = spawn(
    process.execPath,
    [
      '-e',
      "const c=require('child_process').spawn(process.execPath,['-e','setInterval(()=>{},1e9)'],{stdio:'ignore'});console.log(c.pid);setInterval(()=>{},1e9)",
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  started.push(p);
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const child = await waitFor('the child pid', () => Number(out.trim()) || undefined, 10_000);
  grandchildren.push(child);
  return { parent: p.pid!, child };
}

linux.describe('ReportedTools.track', () => {
  it('keeps a tool started by the child or by its spawner, refuses a process of someone else', async () => {
    const t = new ReportedTools();
    const { parent, child } = await parentWithChild();
    // The tool's parent is the child itself.
    expect(t.track({ id: 'a', attempt: 1, tool: 'x', pid: parent }, process.pid)).toBeUndefined();
    // The tool's parent (a spawner) is the child's own child.
    expect(t.track({ id: 'b', attempt: 1, tool: 'x', pid: child }, process.pid)).toBeUndefined();
    // Not in the child's tree: refused, the task kept without its pid.
    expect(t.track({ id: 'c', attempt: 1, tool: 'x', pid: child }, 1)).toMatch(/which it did not start/);
    expect(t.tasks.get('c#1')?.pid).toBeUndefined();
    expect(t.tasks.get('b#1')?.pid).toBe(child);
  });
});

linux.describe('ReportedTools.forget', () => {
  it('forgets an ended attempt and its pid, so nothing is remembered once every task has ended', async () => {
    const t = new ReportedTools();
    const { parent, child } = await parentWithChild();
    t.track({ id: 'a', attempt: 1, tool: 'x', pid: parent }, process.pid);
    t.track({ id: 'b', attempt: 1, tool: 'x', pid: child }, process.pid);
    expect(t.rememberedPids).toBe(2);
    t.forget('a', 1);
    expect([...t.tasks.keys()]).toEqual(['b#1']);
    expect(t.rememberedPids).toBe(1);
    t.forget('b', 1);
    t.forget('never-reported', 1);
    expect(t.tasks.size).toBe(0);
    expect(t.rememberedPids).toBe(0);
  });
});
