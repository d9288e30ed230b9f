import { watchConfig, type ConfigWatcher } from '@headless/core/config/watch';
import type { LoadedConfig } from '@headless/core/config/load';
import type { WorkerContext } from './context.js';
import { makeNotifier } from './notify.js';
import { configStateFile, type ConfigState } from './config-state.js';

/**
 * Watches config/ for the worker: a valid change applies to the next attempt (policies, tools, and
 * the notifier), an invalid one is refused with its one-line error and the running config stays;
 * both go to the log and the ledger, and the refusal to the state file `status` reads.
 */
export function startConfigReload(
  ctx: WorkerContext,
  current: LoadedConfig,
  opts: { debounceMs?: number; pollMs?: number } = {},
): ConfigWatcher {
  const say = (refused?: string) => {
    const state: ConfigState = {
      pid: process.pid,
      ...(refused ? { refused } : {}),
      at: new Date(ctx.clock.now()).toISOString(),
    };
    void configStateFile(ctx.paths.runDir)
      .write(state, { fsync: false })
      .catch((err: unknown) => ctx.log.warn(`could not write the config state: ${String(err)}`));
  };
  say(undefined);
  return watchConfig({
    layout: ctx.paths,
    current,
    ...opts,
    onChange: (next) => {
      const notifyChanged = JSON.stringify(next.policies.notify) !== JSON.stringify(ctx.policies.notify);
      ctx.policies = next.policies;
      // Tools from a file replace the running ones; with no tools.json the tools the worker was given stay.
      if (next.sources.tools !== 'built-in') ctx.tools = next.tools;
      if (notifyChanged) {
        const old = ctx.notifier;
        ctx.notifier = makeNotifier(ctx);
        void old.settled().then(() => old.close());
      }
      ctx.configRefused = undefined;
      say(undefined);
      ctx.log.info('config/ changed: the new config applies to the next attempts');
      void ctx.ledger
        .append({ event: 'config.reloaded', workerPid: process.pid, reason: 'config/ changed' })
        .catch(() => undefined);
    },
    onError: (message) => {
      ctx.configRefused = message;
      say(message);
      ctx.log.warn(`config/ change refused, the running config stays: ${message}`);
      void ctx.ledger
        .append({ event: 'config.refused', workerPid: process.pid, reason: message })
        .catch(() => undefined);
    },
  });
}
