import type { Clock } from '@headless/core/clock';
import type { Ledger } from '@headless/core/ledger/ledger';
import type { NotifyEvent } from '@headless/core/notify/event';
import { breakerOpenedEvent, toolParkEvent } from '@headless/core/notify/tool-events';
import type { BreakerView } from '@headless/core/policy/tool-breakers';
import type { ToolPark } from '@headless/core/run-state/tool-parks';
import type { WorkerLogger } from './logger.js';

/**
 * What the worker says when a tool stops being usable: a breaker opening (log, ledger, notify) and a
 * park (notify; the park book writes its own ledger line). The breakers and the park book are made
 * before the notifier's context, so the notifier is bound afterwards.
 */
export function toolNotices(deps: { ledger: Ledger; log: WorkerLogger; root: string; clock: Clock }) {
  let notify: (ev: NotifyEvent) => void = () => undefined;
  const stamp = () => ({ root: deps.root, at: new Date(deps.clock.now()).toISOString() });
  return {
    bind: (to: (ev: NotifyEvent) => void): void => {
      notify = to;
    },
    onOpen: (tool: string, view: BreakerView): void => {
      const ev = breakerOpenedEvent(tool, view, stamp());
      deps.log.warn(`tool ${tool} breaker opened${ev.until ? ` until ${ev.until}` : ''}: ${ev.reason ?? ''}`);
      void deps.ledger
        .append({
          event: 'breaker.opened',
          tool,
          reason: ev.reason ?? '',
          ...(ev.until ? { until: ev.until } : {}),
        })
        .catch(() => undefined);
      notify(ev);
    },
    onPark: (tool: string, park: ToolPark): void => {
      notify(toolParkEvent(tool, park, stamp()));
    },
  };
}
