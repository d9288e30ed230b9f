import { requestBreakerReset } from '@headless/core/policy/breaker-registry';
import { handleRequest, type RunningControl } from '@headless/core/queue/user-requests';
import { pendingRequests, respond, type UserRequest } from '@headless/core/run-state/requests';
import { validationContext } from '@headless/core/task/validate';
import type { WorkerContext } from './context.js';

/**
 * The CLI's requests (retry, cancel, reset-breaker), applied by the worker with the same
 * transitions it uses itself and answered with what happened. A cancel of a running task is
 * answered once its attempt has ended, without holding up the loop.
 */
export class RequestDesk {
  private readonly inProgress = new Map<string, Promise<void>>();

  constructor(
    private readonly ctx: WorkerContext,
    private readonly onChange: (req: UserRequest) => void,
  ) {}

  private readonly running: RunningControl = {
    cancel: (id) => {
      const r = this.ctx.running.get(id);
      if (!r) return undefined;
      r.abortReason ??= 'cancel';
      r.abort.abort();
      return r.done.then(() => r.ended ?? 'processing');
    },
  };

  async poll(): Promise<void> {
    const ctx = this.ctx;
    for (const p of await pendingRequests(ctx.paths)) {
      const id = p.ok ? p.req.id : p.id;
      if (this.inProgress.has(id)) continue;
      if (!p.ok) {
        await respond(ctx.paths, { id, exitCode: 2, lines: [], errors: [p.why], result: {}, by: 'worker' });
        continue;
      }
      const req = p.req;
      const work = handleRequest(req, {
        transitions: ctx.transitions,
        running: this.running,
        knownTools: Object.keys(ctx.tools.tools),
        resetBreaker: (tool) => this.resetBreaker(tool),
        validation: validationContext(ctx.paths.root, ctx.tools, ctx.policies),
        inbox: ctx.paths.inbox,
        by: 'worker',
      })
        .then(async (res) => {
          this.onChange(req);
          await respond(ctx.paths, res);
        })
        .catch((err: unknown) => {
          ctx.log.error(`could not answer request ${id}: ${String(err)}`);
        })
        .finally(() => {
          this.inProgress.delete(id);
          ctx.waker.wake();
        });
      this.inProgress.set(id, work);
      // Requests are applied in order, except cancels of running tasks, which wait for the attempt.
      if (req.kind !== 'cancel') await work;
    }
  }

  private async resetBreaker(tool: string): Promise<void> {
    const ctx = this.ctx;
    ctx.registry.breakers.reset(tool);
    await requestBreakerReset(ctx.paths.breakerResets, tool, new Date(ctx.clock.now()));
    await ctx.ledger.append({ event: 'breaker.reset', tool, reason: 'reset by the user' });
    ctx.log.info(`breaker of ${tool} closed by the user; its parked tasks return to the queue`);
  }

  /** Answers still pending (cancels waiting for their attempt) are written before the worker goes. */
  async settled(): Promise<void> {
    await Promise.all(this.inProgress.values());
  }
}
