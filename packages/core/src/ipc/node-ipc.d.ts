// node-ipc 14 ships no type declarations (@types/node-ipc describes v9). This covers only the
// surface headless uses: an isolated instance, Unix socket/named pipe serve and connect.
declare module 'node-ipc' {
  import type { Socket } from 'node:net';

  type Handler = (...args: unknown[]) => void;

  interface IpcConfig {
    appspace: string;
    socketRoot: string;
    id: string;
    parser: 'raw' | 'fast' | 'guarded' | 'assured';
    silent: boolean;
    retry: number;
    maxRetries: number;
    stopRetrying: boolean;
    maxConnections: number;
    maxMessageSize: number;
    unlink: boolean;
    secureSocketRoot: boolean;
    readableAll: boolean;
    writableAll: boolean;
  }

  interface IpcServer {
    start(): void;
    stop(): void;
    on(type: string, handler: Handler): IpcServer;
    emit(socket: Socket, type: string, data?: unknown): boolean;
    broadcast(type: string, data?: unknown): boolean;
    sockets: Socket[];
  }

  interface IpcClient {
    on(type: string, handler: Handler): IpcClient;
    off(type: string, handler: Handler | '*'): IpcClient;
    emit(type: string, data?: unknown): boolean;
    socket: Socket | false;
  }

  export class IPCModule {
    config: IpcConfig;
    of: Record<string, IpcClient | undefined>;
    server: IpcServer | false;
    serve(path: string, callback?: () => void): void;
    connectTo(id: string, path: string, callback?: () => void): void;
    disconnect(id: string): void;
  }

  const ipc: IPCModule;
  export default ipc;
}
