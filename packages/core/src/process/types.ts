import type { Containment } from '../windows/job-object.js';

/**
 * The process runner contract. One implementation (run.ts) runs every tool for the worker and the
 * orchestrator; tests inject their own where they test policy, never in integration tests.
 */
export interface RunRequest {
  /** A program name (looked up on PATH from `env.PATH`) or an absolute path. Never run through a shell. */
  executable: string;
  /**
   * Where `executable` was found on `env.PATH` just before (the worker's run-time check): the runner
   * spawns it without searching PATH a second time. A file gone meanwhile fails the spawn as not-found.
   */
  resolvedExecutable?: string;
  args: readonly string[];
  cwd: string;
  /** The complete environment of the child (already filtered by the allow-list). */
  env: Readonly<Record<string, string>>;
  /** Text written to stdin, which is then closed. Absent: stdin is closed ('ignore'). */
  input?: string;
  /** Wall-clock limit in ms; the whole process tree is ended when it passes. */
  timeoutMs: number;
  /** Ends the attempt when neither stdout nor stderr has printed for this long. */
  idleTimeoutMs?: number;
  /**
   * Whether time the machine slept (a suspend, a stopped tree) counts against `timeoutMs` and
   * `idleTimeoutMs`. Default false: the budget is spent in ticks (policy/sleep-aware-deadline.ts).
   */
  timeoutCountsSleep?: boolean;
  /** Grace between the polite signal (SIGTERM) and SIGKILL of the whole tree. */
  killGraceMs: number;
  /** Each output line, as it arrives (already redacted). */
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** Called with the child's pid as soon as it is spawned (before any output). */
  onSpawn?: (pid: number) => void;
  /** Aborting ends the whole tree like a timeout, reason 'aborted'. */
  signal?: AbortSignal;
  /** Values to replace with *** in everything reported (secrets). */
  redact?: readonly string[];
  /** Keep at most this many bytes of stdout/stderr in the result (the tail is kept). */
  maxCaptureBytes?: number;
  /**
   * Whether a text is a prompt waiting for a person (see tool/input-prompts.ts). Each complete line
   * is tested, and an unterminated last line once `partialLineMs` passed without output; a match
   * ends the tree with reason 'blocked-on-input' and the prompt in `endDetail`.
   */
  isPrompt?: (text: string) => boolean;
  /** Default 1000. */
  partialLineMs?: number;
  /**
   * Fed each line (after `onLine`); a returned text ends the tree with reason 'budget' and that
   * text in `endDetail` (a usage tracker passing its spend cap, see tool/usage-tracker.ts).
   */
  overBudget?: (stream: 'stdout' | 'stderr', line: string) => string | undefined;
}

/** `runner-lost`: the spawner running the tool died mid-run (spawner-runner.ts); retried like a crash. */
export type EndReason =
  | 'exited'
  | 'timeout'
  | 'idle'
  | 'aborted'
  | 'spawn-error'
  | 'not-found'
  | 'blocked-on-input'
  | 'budget'
  | 'runner-lost';

export interface RunResult {
  pid: number | undefined;
  exitCode: number | null;
  signal: string | null;
  endReason: EndReason;
  /** Captured output tail (redacted). */
  stdout: string;
  stderr: string;
  durationMs: number;
  /** For spawn-error/not-found: what went wrong, in words a user can act on. */
  error?: string;
  /** For blocked-on-input: the prompt line; for budget: the reason the tracker gave. */
  endDetail?: string;
  /** Pids of the tree that were still alive after the final SIGKILL (should be empty). */
  survivors: number[];
  /**
   * How the tool's tree was contained and ended: POSIX `process-group`; Windows `job-object`, or
   * `taskkill` with the reason (no job could be made or assigned, or it did not end the tree). For
   * the ledger: a taskkill fallback is worth recording. Absent when nothing was spawned.
   */
  containment?: Containment;
}

export interface ProcessRunner {
  run(req: RunRequest): Promise<RunResult>;
  /** Lets go of what the runner holds (the spawner process of spawner-runner.ts). */
  close?(): Promise<void>;
  /** Gets ready for a run soon (starts the spawner in the background); never waits. */
  warm?(): void;
}
