import type { EndReason, RunRequest, RunResult } from './types.js';

/**
 * The messages between a worker and its spawner (spawner-runner.ts, spawner-serve.ts) over Node's
 * fork IPC channel: private to the two processes, no socket file. A RunRequest's data crosses; its
 * functions stay in the worker: the spawner streams lines back (batched per tick) and the worker
 * answers a prompt or a spend cap with an `end` command.
 */

/** The serialisable part of a RunRequest, plus which of its callbacks the worker has. */
export interface WireRequest {
  executable: string;
  resolvedExecutable?: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  input?: string;
  timeoutMs: number;
  idleTimeoutMs?: number;
  timeoutCountsSleep?: boolean;
  killGraceMs: number;
  redact?: string[];
  maxCaptureBytes?: number;
  partialLineMs?: number;
  /** Stream every line back (the worker has onLine, isPrompt or overBudget). */
  lines: boolean;
  /** The worker tests prompts: an unterminated last line is sent back once output paused. */
  prompts: boolean;
}

export type ToSpawner =
  | { t: 'run'; id: number; req: WireRequest }
  | { t: 'end'; id: number; reason: EndReason; detail?: string }
  | { t: 'abort'; id: number };

export type Line = [stream: 'stdout' | 'stderr', line: string];

export type FromSpawner =
  | { t: 'ready'; pid: number }
  | { t: 'spawn'; id: number; pid: number }
  | { t: 'lines'; id: number; lines: Line[] }
  | { t: 'partial'; id: number; text: string }
  | { t: 'done'; id: number; result: RunResult };

export function toWire(req: RunRequest): WireRequest {
  const out: WireRequest = {
    executable: req.executable,
    args: [...req.args],
    cwd: req.cwd,
    env: { ...req.env },
    timeoutMs: req.timeoutMs,
    killGraceMs: req.killGraceMs,
    lines: req.onLine !== undefined || req.isPrompt !== undefined || req.overBudget !== undefined,
    prompts: req.isPrompt !== undefined,
  };
  if (req.resolvedExecutable !== undefined) out.resolvedExecutable = req.resolvedExecutable;
  if (req.input !== undefined) out.input = req.input;
  if (req.idleTimeoutMs !== undefined) out.idleTimeoutMs = req.idleTimeoutMs;
  if (req.timeoutCountsSleep !== undefined) out.timeoutCountsSleep = req.timeoutCountsSleep;
  if (req.redact !== undefined) out.redact = [...req.redact];
  if (req.maxCaptureBytes !== undefined) out.maxCaptureBytes = req.maxCaptureBytes;
  if (req.partialLineMs !== undefined) out.partialLineMs = req.partialLineMs;
  return out;
}

const isObject = (m: unknown): m is Record<string, unknown> => typeof m === 'object' && m !== null;

/** Messages come from our own child; this only keeps a stray message (a tool's?) from being trusted blindly. */
export function isFromSpawner(m: unknown): m is FromSpawner {
  if (!isObject(m) || typeof m.t !== 'string') return false;
  if (m.t === 'ready') return typeof m.pid === 'number';
  return typeof m.id === 'number' && ['spawn', 'lines', 'partial', 'done'].includes(m.t);
}

export function isToSpawner(m: unknown): m is ToSpawner {
  if (!isObject(m) || typeof m.id !== 'number') return false;
  if (m.t === 'run') return isObject(m.req) && typeof m.req.executable === 'string';
  return m.t === 'end' || m.t === 'abort';
}
