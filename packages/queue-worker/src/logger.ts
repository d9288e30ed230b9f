/** The slice of a winston logger the worker uses (so tests can pass a tiny one). */
export interface WorkerLogger {
  info(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
  error(message: string, meta?: Record<string, unknown>): unknown;
  debug(message: string, meta?: Record<string, unknown>): unknown;
}

export const silentLogger: WorkerLogger = { info: () => 0, warn: () => 0, error: () => 0, debug: () => 0 };
