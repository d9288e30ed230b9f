/**
 * The slice of a logger the orchestrator uses. The component logger (winston, from
 * @headless/core/log/logger) fits it; tests may pass a recorder.
 */
export interface Log {
  info(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
  error(message: string, meta?: Record<string, unknown>): unknown;
  debug(message: string, meta?: Record<string, unknown>): unknown;
}

/** Where a line comes from: the step's stdout or stderr, or the orchestrator itself. */
export type LineStream = 'stdout' | 'stderr' | 'meta';

/** A per-loop output file: `<ISO time> [<stream>] <text>` per line, like a task log. */
export interface LineLog {
  line(stream: LineStream, text: string): void;
  close(): Promise<void>;
}
