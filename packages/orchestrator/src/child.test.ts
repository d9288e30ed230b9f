import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { ChildEvent } from '@headless/core/ipc/events';
import { IPC_ENV } from '@headless/core/ipc/events';
import { startIpcServer, type IpcServer } from '@headless/core/ipc/server';
import { planSocket } from '@headless/core/ipc/socket-path';
import { layout } from '@headless/core/paths';
import { isAlive } from '@headless/core/process/alive';
import { makeTempRoot, writeConfig } from '@headless/test-support/temp-root';
import { waitFor } from '@headless/test-support/wait-for';
import { readLoopsFile } from './loops-file.js';
import { posixOnly } from '@headless/test-support/platform';

const sigterm = posixOnly(
  'sends SIGTERM and expects a clean exit; on Windows kill() ends a process at once, no handler runs',
);

const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));
const SLEEPER = {
  tools: { node: { executable: process.execPath, argv: ['{args}'] } },
  loops: {
    Sleeper: {
      intervalSec: 60,
      jitter: 0,
      steps: [{ tool: 'node', args: ['-e', 'setTimeout(() => {}, 60000)'] }],
    },
  },
};

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function sleeperRoot(): Promise<string> {
  const { root, cleanup } = await makeTempRoot('headless-orch-child-');
  cleanups.push(cleanup);
  await writeConfig(root, 'tools.json', SLEEPER);
  await writeConfig(root, 'policies.json', { shutdown: { graceSec: 2 } });
  return root;
}

interface Started {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

function startChild(root: string, env: NodeJS.ProcessEnv = {}): Started {
  const base = { ...process.env };
  delete base[IPC_ENV.path];
  delete base[IPC_ENV.token];
  const child = spawn(process.execPath, [CHILD, '--root', root], {
    env: { ...base, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    windowsHide: true,
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  cleanups.unshift(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, stderr: () => err, exited };
}

async function supervised(root: string) {
  const plan = planSocket({
    root,
    platform: process.platform,
    uid: process.getuid?.(),
    tmpdir: os.tmpdir(),
    randomSuffix: 'test',
  });
  const events: Array<{ event: ChildEvent; payload: unknown }> = [];
  const refused: string[] = [];
  const token = 'a-test-token-of-enough-length';
  const server: IpcServer = await startIpcServer({
    path: plan.path,
    socketRoot: plan.socketRoot,
    token,
    onEvent: (_c, event, payload) => void events.push({ event, payload }),
    onRefused: (r) => void refused.push(r),
  });
  cleanups.push(() => server.close());

  const { exited } = startChild(root, {
    [IPC_ENV.path]: plan.path,
    [IPC_ENV.token]: token,
    [IPC_ENV.heartbeatMs]: '200',
  });
  await waitFor('ready', () => events.some((e) => e.event === 'ready'));
  const started = await waitFor(
    'task-started',
    () => events.find((e) => e.event === 'task-started')?.payload as { id: string; pid: number },
  );
  return { server, events, refused, exited, started };
}

describe('orchestrator child', () => {
  it('reports to its supervisor and stops its steps on a shutdown request', async () => {
    const { server, events, refused, exited, started } = await supervised(await sleeperRoot());
    expect(started.id).toBe('loop:Sleeper:.:1');
    await waitFor('a heartbeat listing the step', () =>
      events.some(
        (e) => e.event === 'heartbeat' && JSON.stringify(e.payload).includes(`"pid":${started.pid}`),
      ),
    );

    const t0 = Date.now();
    server.send('orchestrator', 'shutdown', { graceMs: 3000, reason: 'test' });
    const exit = await exited;
    expect(exit.code).toBe(0);
    expect(exit.at - t0).toBeLessThan(3000);
    expect(isAlive(started.pid)).toBe(false);
    expect(refused).toEqual([]);
  });

  it('stops its steps and exits when its supervisor goes away', async () => {
    const { server, exited, started } = await supervised(await sleeperRoot());
    server.close();
    const exit = await exited;
    expect(exit.code).toBe(1);
    expect(isAlive(started.pid)).toBe(false);
  });

  sigterm.it('stops its steps and exits 0 on SIGTERM when running unsupervised', async () => {
    const root = await sleeperRoot();
    const { child, exited } = startChild(root);
    await waitFor(
      'the step to run',
      async () => (await readLoopsFile(layout(root)))?.loops['Sleeper']?.running,
    );
    child.kill('SIGTERM');
    const exit = await exited;
    expect(exit.code).toBe(0);
    expect((await readLoopsFile(layout(root)))!.loops['Sleeper']!.running).toBe(false);
    // The component log (winston, rotated by day) has the loop's records.
    const logs = fs
      .readdirSync(layout(root).logsDir)
      .filter((f) => /^orchestrator-\d{4}-\d\d-\d\d\.log$/.test(f));
    expect(logs).toHaveLength(1);
    const records = fs.readFileSync(path.join(layout(root).logsDir, logs[0]!), 'utf8');
    expect(records).toMatch(/"component":"orchestrator".*"message":"loop Sleeper started/);
    expect(records).toMatch(/"message":"orchestrator stopped"/);
  });

  it('exits 2 with the config error when config/tools.json is wrong', async () => {
    const { root, cleanup } = await makeTempRoot('headless-orch-child-');
    cleanups.push(cleanup);
    await writeConfig(root, 'tools.json', { tools: {}, loops: { L: { steps: [{ tool: 'nope' }] } } });
    const { exited, stderr } = startChild(root);
    const exit = await exited;
    expect(exit.code).toBe(2);
    expect(stderr()).toMatch(/config\/tools\.json/);
  });
});
