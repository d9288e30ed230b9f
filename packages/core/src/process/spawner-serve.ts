import { killGroupNow } from './kill-tree.js';
import { runProcess } from './run.js';
import { isToSpawner, type FromSpawner, type Line, type WireRequest } from './spawner-protocol.js';
import type { TreeWatch } from './tree-watch.js';
import type { RunRequest } from './types.js';

/** The channel to the worker: `process` in the spawner, a fake in tests. */
export interface SpawnerChannel {
  send(m: FromSpawner): void;
  onMessage(handler: (m: unknown) => void): void;
  onClose(handler: () => void): void;
}

/** After the worker is gone, how long the trees' own endings may take before the spawner just exits. */
const ORPHAN_EXIT_MS = 3000;

interface Active {
  pid?: number;
  watch?: TreeWatch;
  abort: AbortController;
  /** An end command that came before the watch existed. */
  pendingEnd?: { reason: Parameters<TreeWatch['endTree']>[0]; detail?: string };
  lines: Line[];
  /** The last complete line handed to the worker: TreeWatch tests it with isPrompt right after. */
  lastLine?: string;
}

/**
 * The spawner's side (spawner-child.ts is its entry): runs each tool with the ordinary runner
 * (runProcess: execa, TreeWatch, the tree kill), so timeouts, kill grace, the leftover sweep and
 * survivors are exactly the in-process runner's. Lines go back batched per tick. When the worker
 * is gone (its channel closed: a crash, kill -9) every tree started here is ended and the spawner
 * exits, so nothing it started outlives the worker.
 */
export function serveSpawner(channel: SpawnerChannel, exit: (code: number) => void): void {
  const active = new Map<number, Active>();
  let flushing = false;
  let closed = false;

  const flush = (): void => {
    flushing = false;
    for (const [id, a] of active) {
      if (a.lines.length === 0) continue;
      channel.send({ t: 'lines', id, lines: a.lines });
      a.lines = [];
    }
  };
  const queueLine = (a: Active, line: Line): void => {
    a.lines.push(line);
    if (!flushing) {
      flushing = true;
      setImmediate(flush);
    }
  };

  const start = (id: number, wire: WireRequest): void => {
    const a: Active = { abort: new AbortController(), lines: [] };
    active.set(id, a);
    const req = localRequest(wire, a, {
      spawned: (pid) => channel.send({ t: 'spawn', id, pid }),
      line: (line) => queueLine(a, line),
      partial: (text) => {
        // After the lines before it, so the worker tests them in the order printed.
        flush();
        channel.send({ t: 'partial', id, text });
      },
    });
    const onWatch = (watch: TreeWatch): void => {
      a.watch = watch;
      if (a.pendingEnd) watch.endTree(a.pendingEnd.reason, a.pendingEnd.detail);
    };
    void runProcess(req, process.platform, { onWatch }).then((result) => {
      flush();
      active.delete(id);
      if (!closed) channel.send({ t: 'done', id, result });
      else if (active.size === 0) exit(0);
    });
  };

  channel.onMessage((m) => {
    if (!isToSpawner(m)) return;
    if (m.t === 'run') return start(m.id, m.req);
    const a = active.get(m.id);
    if (!a) return;
    // A tool that has exited already (a zombie not yet reaped here) ignores it: TreeWatch's onAbort.
    if (m.t === 'abort') return a.abort.abort();
    const end = { reason: m.reason, ...(m.detail === undefined ? {} : { detail: m.detail }) };
    if (a.watch) a.watch.endTree(end.reason, end.detail);
    else a.pendingEnd = end;
  });

  channel.onClose(() => {
    closed = true;
    if (active.size === 0) return exit(0);
    // The worker died: nobody will collect these results. End every group at once (no grace: its
    // owner is gone), then let each run's own ending sweep what escaped the group.
    for (const a of active.values()) {
      if (a.pid !== undefined) void killGroupNow(a.pid);
      a.abort.abort();
    }
    setTimeout(() => exit(0), ORPHAN_EXIT_MS).unref();
  });
  channel.send({ t: 'ready', pid: process.pid });
}

interface Senders {
  spawned(pid: number): void;
  line(line: Line): void;
  partial(text: string): void;
}

/** The RunRequest the spawner runs: the worker's data, with callbacks that message the worker. */
function localRequest(wire: WireRequest, a: Active, send: Senders): RunRequest {
  const req: RunRequest = {
    executable: wire.executable,
    args: wire.args,
    cwd: wire.cwd,
    env: wire.env,
    timeoutMs: wire.timeoutMs,
    killGraceMs: wire.killGraceMs,
    signal: a.abort.signal,
    onSpawn: (pid) => {
      a.pid = pid;
      send.spawned(pid);
    },
  };
  if (wire.resolvedExecutable !== undefined) req.resolvedExecutable = wire.resolvedExecutable;
  if (wire.input !== undefined) req.input = wire.input;
  if (wire.idleTimeoutMs !== undefined) req.idleTimeoutMs = wire.idleTimeoutMs;
  if (wire.timeoutCountsSleep !== undefined) req.timeoutCountsSleep = wire.timeoutCountsSleep;
  if (wire.redact !== undefined) req.redact = wire.redact;
  if (wire.maxCaptureBytes !== undefined) req.maxCaptureBytes = wire.maxCaptureBytes;
  if (wire.partialLineMs !== undefined) req.partialLineMs = wire.partialLineMs;
  if (wire.lines) {
    req.onLine = (stream, line) => {
      a.lastLine = line;
      send.line([stream, line]);
    };
  }
  if (wire.prompts) {
    // TreeWatch calls isPrompt with each complete line right after onLine (the worker tests those
    // as they arrive) and with an unterminated last line after a pause: only that one is sent.
    req.isPrompt = (text) => {
      if (text === a.lastLine) {
        a.lastLine = undefined;
        return false;
      }
      send.partial(text);
      return false;
    };
  }
  return req;
}
