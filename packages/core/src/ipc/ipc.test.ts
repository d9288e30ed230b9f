import { afterEach, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { connectSupervisor, type SupervisorLink } from './client.js';
import type { ChildEvent } from './events.js';
import { startIpcServer, type IpcServer } from './server.js';
import { planSocket } from './socket-path.js';
import { waitFor } from '../process/test-kit.js';
import { posixOnly } from '../platform-kit.js';

const socketFolder = posixOnly(
  'a Unix socket lives in a 0700 folder; a named pipe has no folder (the token authenticates)',
);

const TOKEN = 'a'.repeat(48);

describe('supervisor ipc', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  async function setup(authTimeoutMs = 2000) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hl-ipc-'));
    // The plan the supervisor uses: a socket in a 0700 folder on POSIX, a named pipe on win32.
    const plan = planSocket({
      root: dir,
      platform: process.platform,
      uid: process.getuid?.(),
      tmpdir: os.tmpdir(),
      randomSuffix: randomBytes(4).toString('hex'),
    });
    const socketRoot = plan.socketRoot;
    const socketPath = plan.path;
    const events: { component: string; event: ChildEvent; payload: unknown }[] = [];
    const refused: string[] = [];
    const lost: string[] = [];
    const server: IpcServer = await startIpcServer({
      path: socketPath,
      socketRoot,
      token: TOKEN,
      authTimeoutMs,
      onEvent: (component, event, payload) => void events.push({ component, event, payload }),
      onRefused: (reason) => void refused.push(reason),
      onLost: (component) => void lost.push(component),
    });
    cleanups.push(() => {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const env = { HEADLESS_IPC_PATH: socketPath, HEADLESS_IPC_TOKEN: TOKEN, HEADLESS_HEARTBEAT_MS: '50' };
    return { server, socketRoot, socketPath, events, refused, lost, env };
  }

  function rawClient(
    socketPath: string,
  ): Promise<{ socket: net.Socket; closed: Promise<void>; send(type: string, data: unknown): void }> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(socketPath, () => {
        const closed = new Promise<void>((r) => socket.once('close', () => r()));
        resolve({
          socket,
          closed,
          send: (type, data) => socket.write(JSON.stringify({ type, data }) + '\f'),
        });
      });
      socket.once('error', reject);
    });
  }

  // A named pipe has no folder (its ACL is Windows' default; the token authenticates).
  socketFolder.it('serves in an owner-only (0700) folder', async () => {
    const { socketRoot } = await setup();
    expect(socketRoot).not.toBeNull();
    expect(fs.statSync(socketRoot as string).mode & 0o777).toBe(0o700);
  });

  it('listens on exactly the planned path (a named pipe on win32)', async () => {
    const { env, server, socketPath } = await setup();
    expect(server.path).toBe(socketPath);
    const link = (await connectSupervisor({ component: 'worker', env })) as SupervisorLink;
    cleanups.unshift(() => link.close());
    await waitFor('authenticated', () => server.isConnected('worker'));
  });

  it('returns null when the process is not supervised', async () => {
    expect(await connectSupervisor({ component: 'worker', env: {} })).toBeNull();
  });

  it('delivers allowed events from an authenticated child and refuses the rest', async () => {
    const { env, events, refused } = await setup();
    const link = (await connectSupervisor({ component: 'worker', env })) as SupervisorLink;
    cleanups.unshift(() => link.close());
    expect(link.heartbeatMs).toBe(50);
    link.send('ready', { component: 'worker', pid: process.pid });
    (link.send as (e: string, p: unknown) => void)('format-disk', {});
    (link.send as (e: string, p: unknown) => void)('task-started', { id: 't' });
    link.startHeartbeat(() => [{ id: 't1', attempt: 1, tool: 'git', pid: 4242 }]);
    await waitFor('two heartbeats', () => events.filter((e) => e.event === 'heartbeat').length >= 2);
    expect(events[0]).toMatchObject({ component: 'worker', event: 'ready', payload: { pid: process.pid } });
    expect(refused.some((r) => r.includes('"format-disk" is not in the allow-list'))).toBe(true);
    expect(refused.some((r) => r.includes('"task-started" has a bad payload'))).toBe(true);
    expect(events.some((e) => e.event === 'task-started')).toBe(false);
  });

  it('drops a client with a wrong token', async () => {
    const { socketPath, refused, events } = await setup();
    const client = await rawClient(socketPath);
    client.send('hello', { token: 'b'.repeat(48), component: 'worker', pid: process.pid });
    client.send('ready', { component: 'worker', pid: process.pid });
    await client.closed;
    expect(refused).toContain('a client presented no valid token');
    expect(events).toEqual([]);
  });

  it('drops a client that never authenticates', async () => {
    const { socketPath, refused } = await setup(150);
    const client = await rawClient(socketPath);
    const t0 = Date.now();
    await client.closed;
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(refused.some((r) => r.includes('did not authenticate within 150 ms'))).toBe(true);
  });

  it('sends shutdown to the child and tells it when the supervisor is gone', async () => {
    const { env, server } = await setup();
    const link = (await connectSupervisor({
      component: 'orchestrator',
      env,
      retryMs: 20,
      maxRetries: 2,
    })) as SupervisorLink;
    await waitFor('authenticated', () => server.isConnected('orchestrator'));
    const shutdown = new Promise<unknown>((r) => link.onShutdown(r));
    expect(server.send('orchestrator', 'shutdown', { graceMs: 500, reason: 'test' })).toBe(true);
    expect(await shutdown).toEqual({ graceMs: 500, reason: 'test' });
    const lost = new Promise<void>((r) => link.onLost(r));
    const t0 = Date.now();
    server.close();
    await lost;
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
