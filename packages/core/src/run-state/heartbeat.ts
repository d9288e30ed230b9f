import * as z from 'zod/mini';
import { stateFile, type StateFile } from './state-file.js';

/** What `.tasks/run/worker.json` holds: the worker's heartbeat, read by status and recovery. */
export const WorkerHeartbeatSchema = z.object({
  pid: z.number().check(z.int(), z.positive()),
  startTime: z.optional(z.string()),
  startedAt: z.string(),
  at: z.string(),
  state: z.enum(['running', 'draining', 'stopping', 'stopped']),
  supervised: z.boolean(),
  /** Why claiming is paused, when it is (a store change that keeps failing, ...). */
  paused: z.optional(z.string()),
  running: z.array(
    z.object({
      id: z.string(),
      attempt: z.number().check(z.int()),
      tool: z.string(),
      pid: z.optional(z.number().check(z.int())),
      startedAt: z.string(),
    }),
  ),
});
export type WorkerHeartbeat = z.infer<typeof WorkerHeartbeatSchema>;

/** `headless stop --drain`: asked at, and the time after which the stop comes anyway. */
export const DrainRequestSchema = z.object({ at: z.string(), until: z.string() });

export function drainFile(file: string): StateFile<z.infer<typeof DrainRequestSchema>> {
  return stateFile(file, DrainRequestSchema);
}

export function heartbeatFile(file: string): StateFile<WorkerHeartbeat> {
  return stateFile(file, WorkerHeartbeatSchema);
}
