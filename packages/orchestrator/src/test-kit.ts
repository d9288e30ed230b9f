// Helpers for this package's tests (real processes; only bookkeeping is added around them).
import type { ChildEvent, ChildEventPayload, RunningTask } from '@headless/core/ipc/events';
import type { SupervisorLink } from '@headless/core/ipc/client';
import { createProcessRunner } from '@headless/core/process/run';
import type { ProcessRunner, RunRequest } from '@headless/core/process/types';
import type { Log } from './log-sink.js';

export interface RecordedCall {
  args: readonly string[];
  cwd: string;
  start: number;
  end?: number;
  pid?: number;
}

/** The real process runner, recording each run's arguments, times and pid. */
export function recordingRunner(): { runner: ProcessRunner; calls: RecordedCall[] } {
  const inner = createProcessRunner();
  const calls: RecordedCall[] = [];
  const runner: ProcessRunner = {
    async run(req: RunRequest) {
      const call: RecordedCall = { args: req.args, cwd: req.cwd, start: Date.now() };
      calls.push(call);
      try {
        return await inner.run({
          ...req,
          onSpawn: (pid) => {
            call.pid = pid;
            req.onSpawn?.(pid);
          },
        });
      } finally {
        call.end = Date.now();
      }
    },
  };
  return { runner, calls };
}

export interface LogRecord {
  level: string;
  message: string;
  meta?: Record<string, unknown>;
}

export function recordingLog(): Log & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const at =
    (level: string) =>
    (message: string, meta?: Record<string, unknown>): void =>
      void records.push({ level, message, ...(meta ? { meta } : {}) });
  return { records, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

export type SentEvent = { [E in ChildEvent]: { event: E; payload: ChildEventPayload[E] } }[ChildEvent];

/** A supervisor link that keeps what is sent; heartbeats are taken on demand with `beat()`. */
export function fakeLink(): SupervisorLink & { sent: SentEvent[]; beat(): RunningTask[] } {
  const sent: SentEvent[] = [];
  let running: () => RunningTask[] = () => [];
  return {
    sent,
    heartbeatMs: 1000,
    send: (event, payload) => void sent.push({ event, payload } as SentEvent),
    onShutdown: () => undefined,
    onLost: () => undefined,
    onStatusRequest: () => undefined,
    startHeartbeat: (fn) => {
      running = fn;
    },
    beat: () => running(),
    close: () => undefined,
  };
}
