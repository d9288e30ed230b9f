import { describe, expect, it } from '@jest/globals';
import {
  clientConnectPath,
  clientSettings,
  isPipePath,
  nodeIpcListenPath,
  pipeName,
  serverServePath,
  serverSettings,
} from './endpoint.js';
import { planSocket } from './socket-path.js';

const PIPE = '\\\\.\\pipe\\headless-0123456789ab-f00d';

describe('ipc endpoint on win32', () => {
  it('hands the server the bare pipe name, so node-ipc listens on exactly the planned pipe', () => {
    const served = serverServePath(PIPE, 'win32');
    expect(served).toBe('headless-0123456789ab-f00d');
    expect(nodeIpcListenPath(served, 'win32')).toBe(PIPE);
  });

  it('shows the bug it fixes: the full pipe path given to serve() is listened on under a doubled prefix', () => {
    expect(nodeIpcListenPath(PIPE, 'win32')).not.toBe(PIPE);
    expect(nodeIpcListenPath(PIPE, 'win32').startsWith('\\\\.\\pipe\\\\\\.\\pipe')).toBe(true);
  });

  it('hands the client the full pipe path, which node-ipc keeps as it is', () => {
    expect(clientConnectPath(PIPE, 'win32')).toBe(PIPE);
    expect(() => clientConnectPath('C:\\x\\supervisor.sock', 'win32')).toThrow(/named pipe/);
  });

  it('server and client meet on the pipe planSocket gives for win32', () => {
    const plan = planSocket({
      root: 'C:\\Users\\u\\proj',
      platform: 'win32',
      uid: undefined,
      tmpdir: 'C:\\Temp',
      randomSuffix: 'beef',
    });
    expect(nodeIpcListenPath(serverServePath(plan.path, 'win32'), 'win32')).toBe(
      clientConnectPath(plan.path, 'win32'),
    );
  });

  it('refuses a pipe name node-ipc would rewrite, and a path that is no pipe', () => {
    expect(() => serverServePath('\\\\.\\pipe\\a/b', 'win32')).toThrow(/rewrite/);
    expect(() => pipeName('/tmp/x.sock')).toThrow(/not a named pipe/);
    expect(isPipePath('\\\\?\\pipe\\x')).toBe(true);
  });

  it('uses no socket folder and no unlink for a pipe', () => {
    expect(serverSettings(null, 'win32')).toEqual({
      silent: true,
      parser: 'guarded',
      maxConnections: 16,
      maxMessageSize: 1024 * 1024,
      secureSocketRoot: false,
      unlink: false,
    });
  });
});

describe('ipc endpoint on POSIX', () => {
  it('passes socket paths through unchanged', () => {
    expect(serverServePath('/r/.tasks/run/ipc/supervisor.sock', 'linux')).toBe(
      '/r/.tasks/run/ipc/supervisor.sock',
    );
    expect(nodeIpcListenPath('/r/s.sock', 'darwin')).toBe('/r/s.sock');
    expect(clientConnectPath('/r/s.sock', 'linux')).toBe('/r/s.sock');
  });

  it('serves in the owner-only folder with the checks on', () => {
    expect(serverSettings('/r/.tasks/run/ipc', 'linux')).toMatchObject({
      socketRoot: '/r/.tasks/run/ipc',
      secureSocketRoot: true,
      unlink: true,
      parser: 'guarded',
    });
  });

  it('gives clients finite retries', () => {
    expect(clientSettings({})).toEqual({ silent: true, parser: 'guarded', maxRetries: 3, retry: 100 });
    expect(clientSettings({ maxRetries: 0, retryMs: 5 })).toMatchObject({ maxRetries: 0, retry: 5 });
  });
});
