import { timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import { IPCModule } from 'node-ipc';
import { serverServePath, serverSettings } from './endpoint.js';
import {
  HELLO_EVENT,
  Hello,
  parseChildEvent,
  type ChildEvent,
  type ChildEventPayload,
  type Component,
  type SupervisorEvent,
  type SupervisorEventPayload,
} from './events.js';

/** node-ipc's own lifecycle events: they arrive on the wildcard listener too and are not messages. */
const LIFECYCLE = new Set([
  'start',
  'connect',
  'disconnect',
  'destroy',
  'close',
  'socket.disconnected',
  'error',
  'data',
]);

export interface IpcServerOptions {
  /** From planSocket(). */
  path: string;
  socketRoot: string | null;
  token: string;
  /** Defaults to process.platform; decides how the path is handed to node-ipc. */
  platform?: NodeJS.Platform;
  /** A socket that has not sent a valid hello by then is dropped. */
  authTimeoutMs?: number;
  onEvent<E extends ChildEvent>(component: Component, event: E, payload: ChildEventPayload[E]): void;
  /** A message refused: unknown event, bad payload, no or wrong token. Log it; the sender learns nothing. */
  onRefused(reason: string): void;
  /** Whether `pid` is the process forked for `component` (a valid token from another pid is dropped). */
  authorize?(component: Component, pid: number): boolean;
  onAuthenticated?(component: Component, pid: number): void;
  /** The authenticated socket of a component went away. */
  onLost?(component: Component): void;
}

export interface IpcServer {
  readonly path: string;
  send<E extends SupervisorEvent>(
    component: Component,
    event: E,
    payload: SupervisorEventPayload[E],
  ): boolean;
  isConnected(component: Component): boolean;
  close(): void;
}

function tokenMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Starts the supervisor's end: one authenticated socket per component, every message checked. */
export async function startIpcServer(opts: IpcServerOptions): Promise<IpcServer> {
  const ipc = new IPCModule();
  const platform = opts.platform ?? process.platform;
  // With socketRoot node-ipc creates the folder 0700 and refuses a symlink or another owner's folder.
  Object.assign(ipc.config, serverSettings(opts.socketRoot, platform));
  const authTimeoutMs = opts.authTimeoutMs ?? 2000;
  const byComponent = new Map<Component, Socket>();
  const componentOf = new WeakMap<Socket, Component>();
  const authTimers = new Map<Socket, NodeJS.Timeout>();

  const drop = (socket: Socket, reason: string): void => {
    opts.onRefused(reason);
    socket.destroy();
  };

  await new Promise<void>((resolve, reject) => {
    let listening = false;
    ipc.serve(serverServePath(opts.path, platform), () => {
      listening = true;
      resolve();
    });
    const server = ipc.server;
    if (!server) return reject(new Error('node-ipc did not create a server'));
    server.on('error', (...args: unknown[]) => {
      // A listening error (EADDRINUSE) fails the start; later ones belong to one socket.
      const err = args[0] instanceof Error ? args[0] : new Error(String(args[0]));
      if (!listening) reject(err);
      else opts.onRefused(`ipc socket error: ${err.message}`);
    });
    server.on('connect', (...args: unknown[]) => {
      const socket = args[0] as Socket;
      const timer = setTimeout(() => {
        authTimers.delete(socket);
        if (!componentOf.has(socket))
          drop(socket, `a client did not authenticate within ${authTimeoutMs} ms`);
      }, authTimeoutMs);
      timer.unref();
      authTimers.set(socket, timer);
    });
    server.on('socket.disconnected', (...args: unknown[]) => {
      const socket = args[0] as Socket;
      const timer = authTimers.get(socket);
      if (timer) clearTimeout(timer);
      authTimers.delete(socket);
      const component = componentOf.get(socket);
      if (component && byComponent.get(component) === socket) {
        byComponent.delete(component);
        opts.onLost?.(component);
      }
    });
    server.on('*', (...args: unknown[]) => {
      const [type, data, socket] = args as [string, unknown, Socket];
      if (LIFECYCLE.has(type)) return;
      const component = componentOf.get(socket);
      if (type === HELLO_EVENT) {
        const hello = Hello.safeParse(data);
        if (!hello.success || !tokenMatches(opts.token, hello.data.token)) {
          drop(socket, 'a client presented no valid token');
          return;
        }
        if (opts.authorize && !opts.authorize(hello.data.component, hello.data.pid)) {
          drop(
            socket,
            `${hello.data.component}: hello from pid ${hello.data.pid}, which is not the process forked for it`,
          );
          return;
        }
        const previous = byComponent.get(hello.data.component);
        componentOf.set(socket, hello.data.component);
        byComponent.set(hello.data.component, socket);
        const timer = authTimers.get(socket);
        if (timer) clearTimeout(timer);
        authTimers.delete(socket);
        // A restarted child replaces its predecessor's socket.
        if (previous && previous !== socket) previous.destroy();
        opts.onAuthenticated?.(hello.data.component, hello.data.pid);
        return;
      }
      if (!component) {
        drop(socket, `event "${type}" from a client that has not authenticated`);
        return;
      }
      const parsed = parseChildEvent(type, data);
      if (!parsed.ok) {
        opts.onRefused(`${component}: ${parsed.reason}`);
        return;
      }
      opts.onEvent(component, parsed.event, parsed.payload);
    });
    try {
      server.start();
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });

  const server = ipc.server;
  if (!server) throw new Error('node-ipc did not create a server');
  return {
    path: opts.path,
    send(component, event, payload) {
      const socket = byComponent.get(component);
      if (!socket || socket.destroyed) return false;
      server.emit(socket, event, payload);
      return true;
    },
    isConnected(component) {
      const socket = byComponent.get(component);
      return socket !== undefined && !socket.destroyed;
    },
    close() {
      for (const timer of authTimers.values()) clearTimeout(timer);
      authTimers.clear();
      byComponent.clear();
      server.stop();
    },
  };
}
