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

/**
 * The authenticated sockets, one per component: a socket says hello with the token from a forked
 * pid within the auth timeout or is dropped; every later message is checked against the allow-list.
 */
class Sessions {
  readonly byComponent = new Map<Component, Socket>();
  private readonly componentOf = new WeakMap<Socket, Component>();
  readonly authTimers = new Map<Socket, NodeJS.Timeout>();

  constructor(
    private readonly opts: IpcServerOptions,
    private readonly authTimeoutMs: number,
  ) {}

  private drop(socket: Socket, reason: string): void {
    this.opts.onRefused(reason);
    socket.destroy();
  }

  private clearAuthTimer(socket: Socket): void {
    const timer = this.authTimers.get(socket);
    if (timer) clearTimeout(timer);
    this.authTimers.delete(socket);
  }

  connected(socket: Socket): void {
    const timer = setTimeout(() => {
      this.authTimers.delete(socket);
      if (!this.componentOf.has(socket))
        this.drop(socket, `a client did not authenticate within ${this.authTimeoutMs} ms`);
    }, this.authTimeoutMs);
    timer.unref();
    this.authTimers.set(socket, timer);
  }

  disconnected(socket: Socket): void {
    this.clearAuthTimer(socket);
    const component = this.componentOf.get(socket);
    if (component && this.byComponent.get(component) === socket) {
      this.byComponent.delete(component);
      this.opts.onLost?.(component);
    }
  }

  message(type: string, data: unknown, socket: Socket): void {
    if (LIFECYCLE.has(type)) return;
    if (type === HELLO_EVENT) return this.hello(data, socket);
    const component = this.componentOf.get(socket);
    if (!component) return this.drop(socket, `event "${type}" from a client that has not authenticated`);
    const parsed = parseChildEvent(type, data);
    if (!parsed.ok) return this.opts.onRefused(`${component}: ${parsed.reason}`);
    this.opts.onEvent(component, parsed.event, parsed.payload);
  }

  private hello(data: unknown, socket: Socket): void {
    const hello = Hello.safeParse(data);
    if (!hello.success || !tokenMatches(this.opts.token, hello.data.token)) {
      return this.drop(socket, 'a client presented no valid token');
    }
    const { component, pid } = hello.data;
    if (this.opts.authorize && !this.opts.authorize(component, pid)) {
      return this.drop(socket, `${component}: hello from pid ${pid}, which is not the process forked for it`);
    }
    const previous = this.byComponent.get(component);
    this.componentOf.set(socket, component);
    this.byComponent.set(component, socket);
    this.clearAuthTimer(socket);
    // A restarted child replaces its predecessor's socket.
    if (previous && previous !== socket) previous.destroy();
    this.opts.onAuthenticated?.(component, pid);
  }
}

/** Starts the supervisor's end: one authenticated socket per component, every message checked. */
export async function startIpcServer(opts: IpcServerOptions): Promise<IpcServer> {
  const ipc = new IPCModule();
  const platform = opts.platform ?? process.platform;
  // With socketRoot node-ipc creates the folder 0700 and refuses a symlink or another owner's folder.
  Object.assign(ipc.config, serverSettings(opts.socketRoot, platform));
  const sessions = new Sessions(opts, opts.authTimeoutMs ?? 2000);

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
    server.on('connect', (...args: unknown[]) => sessions.connected(args[0] as Socket));
    server.on('socket.disconnected', (...args: unknown[]) => sessions.disconnected(args[0] as Socket));
    server.on('*', (...args: unknown[]) => {
      const [type, data, socket] = args as [string, unknown, Socket];
      sessions.message(type, data, socket);
    });
    try {
      server.start();
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });

  const server = ipc.server;
  if (!server) throw new Error('node-ipc did not create a server');
  const { byComponent, authTimers } = sessions;
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
