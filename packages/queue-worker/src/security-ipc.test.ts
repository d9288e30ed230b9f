import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect } from '@jest/globals';
import { makeTempRoot, writeConfig } from '@headless/test-support/temp-root';
import { waitFor } from '@headless/test-support/wait-for';
import { linuxOnly, posixOnly } from '@headless/test-support/platform';

const socketFolder = posixOnly(
  'checks the 0700 mode and owner of the Unix socket folder and reads /proc/<pid>/environ; a named pipe has no folder',
);

const parentFromProc = linuxOnly(
  "the supervisor reads a reported pid's parent from /proc/<pid>/stat, which only Linux has",
);

/**
 * The supervisor's IPC, attacked from outside and from a child: a real `headless start` whose
 * worker is a hostile script (HEADLESS_WORKER_ENTRY) that sends events outside the allow-list, bad
 * payloads, and a pid it did not start. Linux/macOS only (a Unix socket in an owner-only folder).
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(here, '..', '..', 'cli', 'dist', 'bin.js');
const CLIENT = pathToFileURL(path.resolve(here, '..', '..', 'core', 'dist', 'ipc', 'client.js')).href;

const HOSTILE_WORKER = `
import fs from 'node:fs';
import { connectSupervisor } from '${CLIENT}';
const link = await connectSupervisor({ component: 'worker' });
link.startHeartbeat(() => []);
link.onShutdown(() => process.exit(0));
link.send('ready', { component: 'worker', pid: process.pid });
link.send('format-disk', { path: '/' });
link.send('task-started', { id: 'no-pid' });
link.send('log', { level: 'error', message: 42 });
const victim = Number(process.env.VICTIM_PID);
if (victim) link.send('task-started', { id: 'not-mine', attempt: 1, tool: 'git', pid: victim });
fs.writeFileSync(process.env.HOSTILE_SENT, 'sent');
setInterval(() => { if (fs.existsSync(process.env.HOSTILE_EXIT)) process.exit(0); }, 50);
`;

const IDLE_ORCHESTRATOR = `
import { connectSupervisor } from '${CLIENT}';
const link = await connectSupervisor({ component: 'orchestrator' });
link.startHeartbeat(() => []);
link.onShutdown(() => process.exit(0));
link.send('ready', { component: 'orchestrator', pid: process.pid });
setInterval(() => {}, 1000);
`;

describe('security: the supervisor IPC', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let sup: ChildProcess | undefined;
  let victim: ChildProcess | undefined;

  beforeEach(async () => {
    ({ root, cleanup } = await makeTempRoot('hl-ipc-'));
    await writeConfig(root, 'policies.json', {
      heartbeat: { intervalSec: 1, staleAfterSec: 30 },
      supervisor: { restartBaseMs: 100, stormRestarts: 100 },
      shutdown: { graceSec: 1 },
    });
    await fs.writeFile(path.join(root, 'hostile-worker.mjs'), HOSTILE_WORKER);
    await fs.writeFile(path.join(root, 'idle-orchestrator.mjs'), IDLE_ORCHESTRATOR);
  });
  afterEach(async () => {
    for (const p of [sup, victim]) {
      if (!p?.pid || p.exitCode !== null || p.signalCode !== null) continue;
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    sup = victim = undefined;
    await cleanup();
  });

  const start = (extraEnv: Record<string, string> = {}): ChildProcess => {
    const child = spawn(process.execPath, [CLI, 'start', '--root', root], {
      env: {
        ...process.env,
        HEADLESS_WORKER_ENTRY: path.join(root, 'hostile-worker.mjs'),
        HEADLESS_ORCHESTRATOR_ENTRY: path.join(root, 'idle-orchestrator.mjs'),
        HOSTILE_SENT: path.join(root, 'sent'),
        HOSTILE_EXIT: path.join(root, 'exit-now'),
        ...extraEnv,
      },
      stdio: 'ignore',
      windowsHide: true,
    });
    return child;
  };

  const supervisorLog = async (): Promise<string> => {
    const names = await fs.readdir(path.join(root, 'logs')).catch(() => []);
    let text = '';
    for (const n of names.filter((x) => x.startsWith('supervisor-')))
      text += await fs.readFile(path.join(root, 'logs', n), 'utf8');
    return text;
  };

  const stop = async (): Promise<void> => {
    const s = sup;
    if (!s) return;
    await fs.writeFile(path.join(root, 'STOP.HEADLESS'), '');
    await waitFor('the supervisor to stop', () => s.exitCode !== null || s.signalCode !== null, 15000);
  };

  socketFolder.it(
    'keeps its socket in an owner-only folder and refuses events outside the allow-list',
    async () => {
      sup = start();
      await waitFor('the hostile worker to send', () => existsSync(path.join(root, 'sent')), 15000);
      const ipcDir = path.join(root, '.tasks', 'run', 'ipc');
      const st = await fs.stat(ipcDir);
      expect(st.mode & 0o777).toBe(0o700);
      expect(st.uid).toBe(process.getuid?.());
      const log = await waitFor('the refusals in the log', async () => {
        const text = await supervisorLog();
        return /format-disk/.test(text) && /\\?"log\\?" has a bad payload/.test(text) ? text : undefined;
      });
      expect(log).toMatch(/ipc: refused: worker: event \\?"format-disk\\?" is not in the allow-list/);
      expect(log).toMatch(/ipc: refused: worker: event \\?"task-started\\?" has a bad payload/);

      // From outside: a socket without the token, and one with a forged token, are dropped.
      const socketPath = path.join(ipcDir, 'supervisor.sock');
      for (const hello of [undefined, { token: 'f'.repeat(48), component: 'worker', pid: process.pid }]) {
        const s = net.connect(socketPath);
        // The server may drop the socket before the second write (that is the point): EPIPE is expected.
        s.on('error', () => undefined);
        const closed = new Promise<void>((r) => s.once('close', () => r()));
        await new Promise<void>((r) => s.once('connect', () => r()));
        if (hello) s.write(JSON.stringify({ type: 'hello', data: hello }) + '\f');
        s.write(
          JSON.stringify({ type: 'task-started', data: { id: 'x', attempt: 1, tool: 'git', pid: 4242 } }) +
            '\f',
        );
        await closed;
      }
      const after = await supervisorLog();
      expect(after).toMatch(/a client presented no valid token/);
      expect(after).toMatch(/event \\?"task-started\\?" from a client that has not authenticated/);
      // A token read from the child's environment is not enough: the pid must be the forked one.
      const workerPid = Number(/worker started \(pid (\d+)\)/.exec(after)?.[1]);
      const token = readFileSync(`/proc/${workerPid}/environ`, 'latin1')
        .split('\0')
        .find((e) => e.startsWith('HEADLESS_IPC_TOKEN='))
        ?.slice('HEADLESS_IPC_TOKEN='.length);
      if (token) {
        const s = net.connect(socketPath);
        // The server may drop the socket before the second write (that is the point): EPIPE is expected.
        s.on('error', () => undefined);
        const closed = new Promise<void>((r) => s.once('close', () => r()));
        await new Promise<void>((r) => s.once('connect', () => r()));
        s.write(
          JSON.stringify({ type: 'hello', data: { token, component: 'worker', pid: process.pid } }) + '\f',
        );
        await closed;
        // The log file is written asynchronously: wait for the line rather than read once.
        await waitFor('the refusal of a forged pid', async () =>
          /which is not the process forked for it/.test(await supervisorLog()),
        );
      }
      await stop();
    },
    40000,
  );

  socketFolder.it(
    'refuses to serve in an IPC folder that others can enter',
    async () => {
      const ipcDir = path.join(root, '.tasks', 'run', 'ipc');
      await fs.mkdir(ipcDir, { recursive: true, mode: 0o777 });
      await fs.chmod(ipcDir, 0o777);
      sup = start();
      // Either it fixes the mode or it refuses to start; it never listens in a folder others can use.
      await waitFor(
        'the supervisor to listen or give up',
        () => existsSync(path.join(root, 'sent')) || sup?.exitCode !== null,
        15000,
      );
      if (sup.exitCode === null) expect((await fs.stat(ipcDir)).mode & 0o777).toBe(0o700);
      await stop();
    },
    30000,
  );

  // A child's report of a tool pid was trusted as is (chaos/FINDINGS.md F4): the supervisor now
  // tracks only pids whose parent is the child, and kills none whose start time changed.
  parentFromProc.it(
    'never kills a process its child did not start',
    async () => {
      victim = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
        detached: true,
        stdio: 'ignore',
      });
      const victimPid = victim.pid as number;
      sup = start({ VICTIM_PID: String(victimPid) });
      await waitFor('the hostile worker to send', () => existsSync(path.join(root, 'sent')), 15000);
      await waitFor('the supervisor to record the reported task', async () =>
        (
          await fs.readFile(path.join(root, '.tasks', 'run', 'supervisor.json'), 'utf8').catch(() => '')
        ).includes('not-mine'),
      );
      await fs.writeFile(path.join(root, 'exit-now'), '');
      await waitFor(
        'the worker to be restarted',
        async () => ((await supervisorLog()).match(/worker started/g) ?? []).length >= 2,
      );
      await stop();
      expect(victim.exitCode === null && victim.signalCode === null).toBe(true);
    },
    40000,
  );
});
