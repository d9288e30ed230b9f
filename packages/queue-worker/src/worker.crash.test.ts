import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { fakeToolsConfig } from '@headless/test-support/fake-tools';
import { isAlive } from '@headless/core/process/alive';
import { waitFor } from '@headless/test-support/wait-for';
import { writeConfig } from '@headless/test-support/temp-root';
import { dropTasks, ledgerOf, makeWorkerRoot, stateOf, type WorkerRoot } from './testing/harness.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../cli/dist/bin.js');

// First run: leaves a marker, starts a child that ignores SIGTERM, and hangs. Second run: exits 0.
const SCRIPT = `
const fs = require('fs');
if (fs.existsSync('ran-once')) { console.log('second run'); process.exit(0); }
fs.writeFileSync('ran-once', '');
const c = require('child_process').spawn(process.execPath, ['-e', "process.on('SIGTERM',()=>{});setInterval(()=>{},1e9)"], { stdio: 'ignore' });
console.log('CHILD_PID=' + c.pid);
setInterval(() => {}, 1e9);
`;

/** The worker's log says `spawner <pid> started` once its spawner is ready. */
async function spawnerReady(root: string): Promise<boolean> {
  const dir = path.join(root, 'logs');
  const names = (await fs.readdir(dir).catch(() => [])).filter((n) => /^worker-.*\.log$/.test(n));
  for (const n of names) {
    if (/"message":"spawner \d+ started"/.test(await fs.readFile(path.join(dir, n), 'utf8'))) return true;
  }
  return false;
}

/** The workers a test started: a test that fails half-way must not leave one running. */
const started: ChildProcess[] = [];

function cli(root: string, env: NodeJS.ProcessEnv, ...args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args, '--root', root], {
    env: { ...env, HOME: root },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  return child;
}

function killStarted(): void {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

// With the spawner (POSIX default) the spawner ends the dead worker's tool trees at once; without it
// (`spawner: "off"`, and always on Windows) the tool lives on until the next worker's recovery ends it.
describe.each(['off', 'auto'] as const)('kill -9 of the worker mid-task (spawner %s)', (spawner) => {
  let w: WorkerRoot;
  beforeEach(async () => {
    w = await makeWorkerRoot();
    const tools = fakeToolsConfig();
    await writeConfig(w.root, 'tools.json', tools);
    await writeConfig(w.root, 'policies.json', {
      worker: { settleMs: 0, rescanIntervalMs: 200, spawner },
      shutdown: { graceSec: 1 },
    });
  });
  afterEach(() => {
    killStarted();
    return w.cleanup();
  });

  it('runs the task again with its attempt count raised, ends the orphaned tool, and the ledger shows the interrupted attempt', async () => {
    const worker = cli(w.root, { ...process.env, ...w.env }, 'worker', '--quiet');
    // Until its spawner is ready the worker starts tools itself (handover-runner.ts), as with "off",
    // and the first tool it starts itself forks the spawner: one quick task first, then the victim.
    if (spawner === 'auto') {
      await dropTasks(w.root, 'warm.jsonl', [{ id: 'warm', tool: 'node', args: ['-e', '0'] }]);
      await waitFor('the warmed spawner to be ready', () => spawnerReady(w.root), 20000);
    }
    await dropTasks(w.root, 'k.jsonl', [{ id: 'victim', tool: 'node', args: ['-e', SCRIPT] }]);
    const log = path.join(w.root, 'logs', 'task_victim.log');
    const childPid = await waitFor(
      'the tool to start its child',
      async () => {
        const m = /CHILD_PID=(\d+)/.exec(await fs.readFile(log, 'utf8').catch(() => ''));
        return m ? Number(m[1]) : undefined;
      },
      20000,
    );
    // Recorded once the tool has run PID_RECORD_DELAY_MS (execute.ts).
    const toolPid = await waitFor(
      'the tool pid on record',
      async () => (await w.store.get('victim'))?.record.claim?.toolPid,
      5000,
    );
    expect(toolPid).toBeDefined();
    worker.kill('SIGKILL');
    await new Promise((r) => worker.once('exit', r));
    if (spawner === 'off') {
      // Its tool lives on in its own process group: nobody tracks it until recovery.
      expect(isAlive(childPid)).toBe(true);
    } else {
      // The spawner saw its channel close and ended the tool's group, the SIGTERM-ignoring child too.
      await waitFor('the spawner to end the tree', () => !isAlive(childPid) && !isAlive(toolPid), 5000);
    }
    expect(await stateOf(w, 'victim')).toBe('processing');

    const run = cli(w.root, { ...process.env, ...w.env }, 'run', '--until-idle', '--quiet');
    const code = await new Promise((r) => run.once('exit', r));
    expect(code).toBe(0);
    await waitFor('orphans gone', () => !isAlive(childPid) && !isAlive(toolPid), 3000);
    const rec = (await w.store.get('victim'))?.record;
    expect(rec?.state).toBe('done');
    expect(rec?.attempts).toBe(2);
    expect(rec?.crashes).toBe(1);
    const events = (await ledgerOf(w, 'victim')).map(
      (r) => `${r.event}${r.attempt ? `#${r.attempt}` : ''}${r.outcome ? `:${r.outcome}` : ''}`,
    );
    expect(events).toEqual([
      'task.queued',
      'attempt.start#1',
      'attempt.end#1:interrupted',
      'task.requeued#1',
      'attempt.start#2',
      'attempt.end#2:success',
      'task.done#2',
    ]);
  });
});
