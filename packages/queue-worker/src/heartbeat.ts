import { heartbeatFile, type WorkerHeartbeat } from '@headless/core/run-state/heartbeat';
import type { WorkerContext } from './context.js';

/** The worker's heartbeat: to the supervisor over IPC and to `worker.json` for status and recovery. */
export function heartbeater(
  ctx: WorkerContext,
  startedAt: string,
): (state: WorkerHeartbeat['state']) => Promise<void> {
  const file = heartbeatFile(ctx.paths.workerHeartbeat);
  return async (state) => {
    const now = ctx.clock.now();
    const hb: WorkerHeartbeat = {
      pid: process.pid,
      ...(ctx.workerStart ? { startTime: ctx.workerStart } : {}),
      startedAt,
      at: new Date(now).toISOString(),
      state,
      supervised: Boolean(ctx.link),
      ...(ctx.pause.until > now && ctx.pause.reason ? { paused: ctx.pause.reason } : {}),
      running: [...ctx.running.values()].map((r) => ({
        id: r.id,
        attempt: r.attempt,
        tool: r.tool,
        startedAt: r.startedAt,
        ...(r.pid ? { pid: r.pid } : {}),
      })),
    };
    ctx.link?.send('heartbeat', {
      component: 'worker',
      pid: hb.pid,
      at: hb.at,
      running: hb.running.map(({ id, attempt, tool, pid }) => ({
        id,
        attempt,
        tool,
        ...(pid ? { pid } : {}),
      })),
    });
    // Rewritten every few seconds; losing the last one to a power cut costs nothing.
    await file
      .write(hb, { fsync: false })
      .catch((err: unknown) => ctx.log.warn(`could not write heartbeat: ${String(err)}`));
  };
}
