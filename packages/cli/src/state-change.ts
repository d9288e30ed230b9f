import { recover } from '@headless/recovery/recover';
import { Ledger } from '@headless/core/ledger/ledger';
import { FolderStore } from '@headless/core/queue/folder-store';
import { Transitions } from '@headless/core/queue/transitions';
import { handleRequest } from '@headless/core/queue/user-requests';
import { breakersFile, requestBreakerReset } from '@headless/core/policy/breaker-registry';
import {
  newRequest,
  takeResponse,
  withdrawRequest,
  writeRequest,
  type RequestBody,
  type UserRequest,
  type UserResponse,
} from '@headless/core/run-state/requests';
import { liveWorker, tryWorkerLock } from '@headless/core/run-state/worker-lock';
import { validationContext } from '@headless/core/task/validate';
import type { CliContext } from './context.js';

/**
 * A change of task state asked for on the command line. While a worker runs it is the only writer:
 * the request goes to it and the answer says what happened. With no worker, the CLI takes the
 * worker lock (so none starts meanwhile) and applies the same transitions itself.
 */
export async function changeState(
  ctx: CliContext,
  body: RequestBody,
  opts: { waitMs: number; pollMs?: number } = { waitMs: 30_000 },
): Promise<UserResponse> {
  const req = newRequest(body);
  const deadline = Date.now() + opts.waitMs;
  for (;;) {
    const attempt = await tryWorkerLock(ctx.paths);
    if ('lock' in attempt) {
      try {
        return await applyHere(ctx, req);
      } finally {
        await attempt.lock.release();
      }
    }
    await writeRequest(ctx.paths, req);
    for (;;) {
      const res = await takeResponse(ctx.paths, req.id);
      if (res) return res;
      const workerGone = (await liveWorker(ctx.paths)) === undefined;
      if (workerGone && (await withdrawRequest(ctx.paths, req.id))) break; // the worker died: do it here
      if (Date.now() >= deadline) {
        const withdrawn = await withdrawRequest(ctx.paths, req.id);
        return {
          id: req.id,
          by: 'cli',
          exitCode: 1,
          lines: [],
          errors: [
            withdrawn
              ? `the worker (pid ${attempt.holder?.pid ?? '?'}) did not take the request within ${Math.round(opts.waitMs / 1000)} s; nothing was changed. Is it stuck? See "headless status"`
              : `the worker (pid ${attempt.holder?.pid ?? '?'}) is still carrying out the request after ${Math.round(opts.waitMs / 1000)} s; see "headless status" for the outcome`,
          ],
          result: {},
        };
      }
      // Polls for the answer file: the worker writes it once the change (or the cancelled attempt) is done.
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 50));
    }
  }
}

async function applyHere(ctx: CliContext, req: UserRequest): Promise<UserResponse> {
  const { paths, config } = ctx;
  if (req.kind === 'cancel' && (await ctx.store.get(req.task))?.state === 'processing') {
    // A processing task with no worker was left by one that died: recovery puts it back first.
    await recover({ root: paths.root, policies: config.policies });
  }
  const store = new FolderStore(paths.tasksDir, { ingestedDir: paths.ingestedDir });
  await store.init();
  const ledger = new Ledger(paths.ledger);
  const transitions = new Transitions(store, ledger);
  try {
    return await handleRequest(req, {
      transitions,
      knownTools: Object.keys(config.tools.tools),
      resetBreaker: async (tool) => {
        const saved = breakersFile(paths.breakers);
        const snapshot = await saved.readOrDefault({});
        delete snapshot[tool];
        await saved.write(snapshot);
        await requestBreakerReset(paths.breakerResets, tool, new Date());
        await ledger.append({
          event: 'breaker.reset',
          tool,
          reason: 'reset by the user (no worker running)',
        });
      },
      validation: validationContext(paths.root, config.tools, config.policies),
      inbox: paths.inbox,
      by: 'cli',
    });
  } finally {
    await ledger.close();
  }
}

/** Prints an answer: its lines to stdout, its errors to stderr; sets the exit code. */
export function report(res: UserResponse): void {
  for (const l of res.lines) process.stdout.write(`${l}\n`);
  for (const e of res.errors) process.stderr.write(`headless: ${e}\n`);
  if (res.exitCode !== 0) process.exitCode = res.exitCode;
}
