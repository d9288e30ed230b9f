import { IPCModule } from 'node-ipc';
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

  const ipc = new IPCModule();
  // Finite retries: node-ipc retries forever by default and an orphaned child would never exit.
  Object.assign(ipc.config, clientSettings(opts));

  const shutdownCbs: ((p: ShutdownRequest) => void)[] = [];
  const lostCbs: (() => void)[] = [];
  let statusCb: (() => Record<string, unknown>) | undefined;
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let everConnected = false;
  let lost = false;
  let closed = false;
  const parentPid = process.ppid;

  const emit = (event: string, payload: unknown): void => {
    const client = ipc.of[SERVER_ID];
    if (!client || !client.socket || client.socket.destroyed) return;
    client.emit(event, payload);
  };

  const stopWatching = (): void => {
    if (heartbeatTimer) clearInterval(heartbeatTimer);
    heartbeatTimer = undefined;
    clearInterval(parentTimer);
    process.off('disconnect', onChannelClosed);
    process.off('SIGINT', ignoreSigint);
  };

  const markLost = (): void => {
    if (lost || closed) return;
    lost = true;
    stopWatching();
    for (const cb of lostCbs) cb();
  };
  const onChannelClosed = (): void => markLost();

  // Ctrl+C reaches the whole foreground process group; a supervised child leaves the stop to its
  // supervisor (which sends `shutdown`) instead of dying mid-task on the terminal's SIGINT.
  const ignoreSigint = (): void => {};
  process.on('SIGINT', ignoreSigint);

  const parentTimer = setInterval(() => {
    if (process.ppid !== parentPid) markLost();
  }, opts.parentCheckMs ?? 1000);
  parentTimer.unref();
  // The fork channel closes the moment the parent dies, even on kill -9.
  if (typeof process.send === 'function') process.on('disconnect', onChannelClosed);

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

  return new Promise<SupervisorLink>((resolve, reject) => {
    ipc.connectTo(SERVER_ID, clientConnectPath(socketPath, process.platform), () => {
      const client = ipc.of[SERVER_ID];
      if (!client) return reject(new SupervisorUnreachable(socketPath));
      client.on('connect', () => {
        // Every (re)connection authenticates again: the server knows sockets, not processes.
        emit(HELLO_EVENT, { token, component: opts.component, pid: process.pid });
        if (!everConnected) {
          everConnected = true;
          resolve(link);
        }
      });
      client.on('destroy', () => {
        if (!everConnected) {
          stopWatching();
          reject(new SupervisorUnreachable(socketPath));
          return;
        }
        markLost();
      });
      client.on('*', (...args: unknown[]) => {
        const [type, data] = args as [string, unknown];
        const parsed = parseSupervisorEvent(type, data);
        if (!parsed.ok) return;
        if (parsed.event === 'shutdown') {
          const request = parsed.payload as ShutdownRequest;
          for (const cb of shutdownCbs) cb(request);
        } else if (parsed.event === 'status-request') {
          emit('status-reply', statusCb ? statusCb() : {});
        }
      });
    });
  });
}
