import type { IPCModule } from 'node-ipc';
import { HeadlessError } from '../errors/headless-error.js';
import { clientConnectPath, clientSettings } from './endpoint.js';
import {
  HELLO_EVENT,
  IPC_ENV,
  parseSupervisorEvent,
  type ChildEvent,
  type ChildEventPayload,
  type Component,
  type RunningTask,
  type SupervisorEventPayload,
} from './events.js';

export type ShutdownRequest = SupervisorEventPayload['shutdown'];

/** A child's link to its supervisor. */
export interface SupervisorLink {
  /** How often the supervisor expects a heartbeat (ms). */
  readonly heartbeatMs: number;
  send<E extends ChildEvent>(event: E, payload: ChildEventPayload[E]): void;
  /** The supervisor asks the child to stop: finish or interrupt work within graceMs and exit. */
  onShutdown(cb: (p: ShutdownRequest) => void): void;
  /**
   * The supervisor is gone (socket destroyed after the retries, fork channel closed, or parent pid
   * changed). The child must stop its tools and exit: nobody would ever stop them otherwise.
   */
  onLost(cb: () => void): void;
  /** Answers `status-request` with whatever the callback returns. */
  onStatusRequest(cb: () => Record<string, unknown>): void;
  /** Sends a heartbeat every heartbeatMs (and one at once), listing what `running()` returns. */
  startHeartbeat(running: () => RunningTask[]): void;
  close(): void;
}

export interface ConnectOptions {
  component: Component;
  env?: NodeJS.ProcessEnv;
  /** Reconnect attempts after the socket closes before the link counts as lost. */
  maxRetries?: number;
  retryMs?: number;
  /** How often to compare the parent pid with the one at start. */
  parentCheckMs?: number;
}

export class SupervisorUnreachable extends HeadlessError {
  constructor(path: string) {
    super(
      `cannot reach the supervisor at ${path}; this process was started as a supervised child but its supervisor is gone. ` +
        'Start headless with "headless start", or run the worker on its own with "headless worker".',
    );
  }
}

const SERVER_ID = 'supervisor';

/** Connects a child to its supervisor; null when this process is not supervised. */
export async function connectSupervisor(opts: ConnectOptions): Promise<SupervisorLink | null> {
  const env = opts.env ?? process.env;
  const socketPath = env[IPC_ENV.path];
  const token = env[IPC_ENV.token];
  if (!socketPath || !token) return null;
  const heartbeatMs = Number(env[IPC_ENV.heartbeatMs]) > 0 ? Number(env[IPC_ENV.heartbeatMs]) : 5000;

  // Loaded here, not at import: a booting worker evaluates it while its config loads (main.ts).
  const { IPCModule: Ipc } = await import('node-ipc');
  const ipc = new Ipc();
  // Finite retries: node-ipc retries forever by default and an orphaned child would never exit.
  Object.assign(ipc.config, clientSettings(opts));

  const shutdownCbs: ((p: ShutdownRequest) => void)[] = [];
  const lostCbs: (() => void)[] = [];
  let statusCb: (() => Record<string, unknown>) | undefined;
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let lost = false;
  let closed = false;

  const emit = (event: string, payload: unknown): void => {
    const client = ipc.of[SERVER_ID];
    if (!client || !client.socket || client.socket.destroyed) return;
    client.emit(event, payload);
  };

  const markLost = (): void => {
    if (lost || closed) return;
    lost = true;
    stopWatching();
    for (const cb of lostCbs) cb();
  };
  const unwatchParent = watchParent(markLost, opts.parentCheckMs ?? 1000);
  const stopWatching = (): void => {
    if (heartbeatTimer) clearInterval(heartbeatTimer);
    heartbeatTimer = undefined;
    unwatchParent();
  };

  const link: SupervisorLink = {
    heartbeatMs,
    send: (event, payload) => emit(event, payload),
    onShutdown: (cb) => void shutdownCbs.push(cb),
    onLost: (cb) => {
      lostCbs.push(cb);
      if (lost) cb();
    },
    onStatusRequest: (cb) => {
      statusCb = cb;
    },
    startHeartbeat: (running) => {
      if (heartbeatTimer) clearInterval(heartbeatTimer);
      const beat = (): void =>
        emit('heartbeat', {
          component: opts.component,
          pid: process.pid,
          at: new Date().toISOString(),
          running: running(),
        });
      beat();
      heartbeatTimer = setInterval(beat, heartbeatMs);
    },
    close: () => {
      closed = true;
      stopWatching();
      ipc.disconnect(SERVER_ID);
    },
  };

  const onMessage = (type: string, data: unknown): void => {
    const parsed = parseSupervisorEvent(type, data);
    if (!parsed.ok) return;
    if (parsed.event === 'shutdown') {
      const request = parsed.payload as ShutdownRequest;
      for (const cb of shutdownCbs) cb(request);
    } else if (parsed.event === 'status-request') {
      emit('status-reply', statusCb ? statusCb() : {});
    }
  };
  try {
    await connect(ipc, socketPath, {
      hello: () => emit(HELLO_EVENT, { token, component: opts.component, pid: process.pid }),
      lost: markLost,
      message: onMessage,
    });
  } catch (err) {
    stopWatching();
    throw err;
  }
  return link;
}

/**
 * Until the supervisor is gone: its death closes the fork channel at once (even on kill -9), and a
 * changed parent pid catches the rest. Ctrl+C reaches the whole foreground process group; a
 * supervised child leaves the stop to its supervisor (which sends `shutdown`) instead of dying
 * mid-task on the terminal's SIGINT. Returns the undo.
 */
function watchParent(onGone: () => void, checkMs: number): () => void {
  const parentPid = process.ppid;
  const onChannelClosed = (): void => onGone();
  const ignoreSigint = (): void => {};
  process.on('SIGINT', ignoreSigint);
  const timer = setInterval(() => {
    if (process.ppid !== parentPid) onGone();
  }, checkMs);
  timer.unref();
  if (typeof process.send === 'function') process.on('disconnect', onChannelClosed);
  return () => {
    clearInterval(timer);
    process.off('disconnect', onChannelClosed);
    process.off('SIGINT', ignoreSigint);
  };
}

/** Resolves at the first connection (each one says hello again), rejects if none is made. */
function connect(
  ipc: InstanceType<typeof IPCModule>,
  socketPath: string,
  on: { hello: () => void; lost: () => void; message: (type: string, data: unknown) => void },
): Promise<void> {
  let everConnected = false;
  return new Promise<void>((resolve, reject) => {
    ipc.connectTo(SERVER_ID, clientConnectPath(socketPath, process.platform), () => {
      const client = ipc.of[SERVER_ID];
      if (!client) return reject(new SupervisorUnreachable(socketPath));
      client.on('connect', () => {
        // Every (re)connection authenticates again: the server knows sockets, not processes.
        on.hello();
        if (!everConnected) {
          everConnected = true;
          resolve();
        }
      });
      client.on('destroy', () => {
        if (!everConnected) return reject(new SupervisorUnreachable(socketPath));
        on.lost();
      });
      client.on('*', (...args: unknown[]) => {
        const [type, data] = args as [string, unknown];
        on.message(type, data);
      });
    });
  });
}
