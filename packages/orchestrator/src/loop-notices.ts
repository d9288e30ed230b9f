import type { Clock } from '@headless/core/clock';
import type { PoliciesConfig as Policies } from '@headless/core/config/schema';
import { breakerOpenedEvent } from '@headless/core/notify/tool-events';
import { createNotifier, type Notifier } from '@headless/core/notify/notifier';
import type { BreakerView } from '@headless/core/policy/tool-breakers';
import type { ProcessRunner } from '@headless/core/process/types';
import type { Log } from './log-sink.js';

export interface LoopNotices {
  /** A loop breaker opened from closed: a warning in the orchestrator log and `breaker.opened`. */
  onOpen: (tool: string, view: BreakerView) => void;
  /** A valid config change: the next notifications use its `policies.notify`. */
  reload: (policies: Policies) => void;
  /** Waits for notifications in flight, then ends them (a stop). */
  close: () => Promise<void>;
}

/**
 * What the orchestrator says when one of its loop breakers opens: the same `breaker.opened` event the
 * worker sends for its tool breakers (users configure one notify section for both). The breakers are
 * made before the notifier could be, so the event is built at the moment of opening.
 */
export function loopNotices(deps: {
  policies: Policies;
  runner: ProcessRunner;
  log: Log;
  root: string;
  clock: Clock;
  parentEnv?: NodeJS.ProcessEnv | undefined;
}): LoopNotices {
  const make = (p: Policies): Notifier =>
    createNotifier(p.notify, {
      runner: deps.runner,
      cwd: deps.root,
      ...(deps.parentEnv ? { env: deps.parentEnv } : {}),
      log: (level, message, meta) => deps.log[level](message, meta),
    });
  let notifier = make(deps.policies);
  let current = deps.policies.notify;
  return {
    onOpen: (tool, view) => {
      const ev = breakerOpenedEvent(tool, view, {
        root: deps.root,
        at: new Date(deps.clock.now()).toISOString(),
      });
      deps.log.warn(
        `loop breaker of tool ${tool} opened${ev.until ? ` until ${ev.until}` : ''}: ${ev.reason ?? ''}`,
        {
          tool,
        },
      );
      notifier.notify(ev);
    },
    reload: (policies) => {
      if (JSON.stringify(policies.notify) === JSON.stringify(current)) return;
      const old = notifier;
      notifier = make(policies);
      current = policies.notify;
      void old.settled().then(() => old.close());
    },
    close: async () => {
      await notifier.settled();
      await notifier.close();
    },
  };
}
