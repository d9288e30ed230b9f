import { createNotifier, type Notifier } from '@headless/core/notify/notifier';
import type { WorkerContext } from './context.js';

/** The notifier of the running policies (`policies.notify`); failures go to the worker log only. */
export function makeNotifier(
  ctx: Pick<WorkerContext, 'policies' | 'runner' | 'log' | 'paths' | 'parentEnv'>,
): Notifier {
  return createNotifier(ctx.policies.notify, {
    runner: ctx.runner,
    cwd: ctx.paths.root,
    env: ctx.parentEnv,
    log: (level, message, meta) => ctx.log[level](message, meta),
  });
}
