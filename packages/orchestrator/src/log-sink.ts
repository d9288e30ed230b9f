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

/** A per-loop output file: one timestamped line per write. */
export interface LineLog {
  line(text: string): void;
  close(): Promise<void>;
}
