import type winston from 'winston';
import type { LoadedConfig } from '@headless/core/config/load';
import { watchConfig, type ConfigWatcher } from '@headless/core/config/watch';
import type { Component } from '@headless/core/ipc/events';
import type { RootLayout } from '@headless/core/paths';

/** What `status` shows for an orchestrator the supervisor has not forked. */
export const NO_LOOP_REASON = 'not started (no loop enabled)';

/** The loops the orchestrator would run: every loop in config/tools.json not `"enabled": false`. */
export function enabledLoops(tools: Pick<LoadedConfig['tools'], 'loops'>): string[] {
  return Object.entries(tools.loops ?? {})
    .filter(([, loop]) => loop.enabled !== false)
    .map(([name]) => name);
}

/**
 * Whether a component is forked now. The worker always; the orchestrator only when a loop is
 * enabled: a queue-only setup saves a whole Node process (~70 MB resident, ~30 MB proportional).
 */
export function startsNow(component: Component, tools: Pick<LoadedConfig['tools'], 'loops'>): boolean {
  return component !== 'orchestrator' || enabledLoops(tools).length > 0;
}

/** The part of a ChildSlot this module drives. */
export interface StartableSlot {
  readonly component: Component;
  readonly status: { reason?: string };
  start(): void;
}

export interface OnDemandOptions {
  layout: RootLayout;
  config: LoadedConfig;
  slots: Iterable<StartableSlot>;
  log: Pick<winston.Logger, 'info' | 'warn'>;
  /** Told when a slot's status changed (the state file's writer). */
  writer: { mark(): void };
  /** How often config/ is read besides its watch events (the children's 5 s by default). */
  pollMs?: number;
  /** Injected for tests; default watchConfig. */
  watch?: typeof watchConfig;
}

/**
 * Starts the slots that run from the start and leaves the orchestrator's unforked when no loop is
 * enabled; then watches config/ and forks it once a valid change enables a loop (it then runs as
 * usual: restarted if it dies, stopped with the tree). An invalid change is the worker's to report.
 */
export function startOnDemand(opts: OnDemandOptions): { close(): void } {
  const waiting: StartableSlot[] = [];
  for (const slot of opts.slots) {
    if (startsNow(slot.component, opts.config.tools)) {
      slot.start();
    } else {
      slot.status.reason = NO_LOOP_REASON;
      waiting.push(slot);
    }
  }
  if (waiting.length === 0) return { close: () => {} };
  opts.log.info(`orchestrator ${NO_LOOP_REASON}; it starts when config/tools.json enables a loop`);
  opts.writer.mark();
  const watcher: ConfigWatcher = (opts.watch ?? watchConfig)({
    layout: opts.layout,
    current: opts.config,
    onChange: (next) => startWaiting(next),
    // An invalid change is reported by the worker (log, ledger, status); here it starts nothing.
    onError: () => {},
    ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
  });
  function startWaiting(next: LoadedConfig): void {
    for (const slot of waiting.splice(0)) {
      if (!startsNow(slot.component, next.tools)) {
        waiting.push(slot);
        continue;
      }
      delete slot.status.reason;
      opts.log.info(`config enables ${enabledLoops(next.tools).join(', ')}: starting the ${slot.component}`);
      slot.start();
    }
    if (waiting.length === 0) watcher.close();
  }
  return { close: () => watcher.close() };
}
