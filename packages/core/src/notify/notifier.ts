import type { NotifyConfig } from '../config/schema.js';
import type { ProcessRunner } from '../process/types.js';
import { findExecutableOnHost } from '../tool/find-executable.js';
import { commandFailure, runNotifyCommand } from './command.js';
import { desktopCommand } from './desktop.js';
import type { NotifyEvent } from './event.js';
import { summarize } from './event.js';
import { postWebhook, type WebhookOptions } from './webhook.js';

export type NotifyChannel = 'command' | 'webhook' | 'desktop';

/** One line per failed notification, for the component log. A notifier never throws to its caller. */
export type NotifyLog = (
  level: 'warn' | 'debug',
  message: string,
  meta: { channel: NotifyChannel; event: string; task?: string },
) => void;

export interface NotifierDeps {
  runner: ProcessRunner;
  log: NotifyLog;
  /** The root: the command's working folder. */
  cwd: string;
  env?: Readonly<Record<string, string | undefined>>;
  platform?: NodeJS.Platform;
  /** Whether a program is on PATH (for notify-send); default: a PATH lookup. */
  has?: (program: string) => boolean;
  webhook?: Omit<WebhookOptions, 'signal'>;
}

export interface Notifier {
  /**
   * Sends an event to every configured channel and returns at once: the caller (the worker) never
   * waits for a command, a slow webhook or its retries. Events the config does not list are dropped.
   */
  notify(ev: NotifyEvent): void;
  /** Resolves when every notification sent so far has finished (tests, and a graceful stop). */
  settled(): Promise<void>;
  /** Ends webhook retries and running commands, then waits for them. */
  close(): Promise<void>;
}

/** The notifier of a config. With no channel configured it does nothing at all. */
export function createNotifier(cfg: NotifyConfig, deps: NotifierDeps): Notifier {
  const pending = new Set<Promise<void>>();
  const abort = new AbortController();
  const env = deps.env ?? process.env;
  const platform = deps.platform ?? process.platform;
  const has = deps.has ?? ((p: string) => findExecutableOnHost(p, env) !== null);
  const wanted = new Set<string>(cfg.events);

  const track = (channel: NotifyChannel, ev: NotifyEvent, work: () => Promise<string | undefined>) => {
    const meta = { channel, event: ev.event, ...(ev.task ? { task: ev.task } : {}) };
    const p = work()
      .then((failure) => {
        if (failure !== undefined) deps.log('warn', failure, meta);
      })
      .catch((err: unknown) => {
        const message = (err as { message?: unknown } | null)?.message;
        const text = typeof message === 'string' ? message : String(err);
        deps.log('warn', text.startsWith('notify ') ? text : `notify ${channel}: ${text}`, meta);
      })
      .finally(() => pending.delete(p));
    pending.add(p);
  };

  const channels: ((ev: NotifyEvent) => void)[] = [];
  const command = cfg.command;
  if (command) {
    channels.push((ev) =>
      track('command', ev, async () =>
        commandFailure(
          command,
          await runNotifyCommand(deps.runner, command, ev, { cwd: deps.cwd, env, signal: abort.signal }),
        ),
      ),
    );
  }
  const webhook = cfg.webhook;
  if (webhook) {
    channels.push((ev) =>
      track('webhook', ev, async () => {
        await postWebhook(webhook, ev, { ...deps.webhook, signal: abort.signal });
        return undefined;
      }),
    );
  }
  if (cfg.desktop) {
    channels.push((ev) =>
      track('desktop', ev, async () => {
        const { title, body } = summarize(ev);
        const cmd = desktopCommand(platform, title, body, has);
        if (!cmd) return 'notify desktop: no way to show one here (install notify-send)';
        const r = await deps.runner.run({
          executable: cmd.executable,
          args: cmd.args,
          cwd: deps.cwd,
          env: Object.fromEntries(
            Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined),
          ),
          timeoutMs: 30_000,
          killGraceMs: 1000,
          maxCaptureBytes: 16 * 1024,
          signal: abort.signal,
        });
        return commandFailure({ argv: [cmd.executable], timeoutSec: 30 }, r)?.replace(
          'notify command',
          'notify desktop',
        );
      }),
    );
  }

  return {
    notify(ev) {
      if (!wanted.has(ev.event)) return;
      // Each channel's work is an async function: whatever it throws lands in track's catch.
      for (const send of channels) send(ev);
    },
    async settled() {
      while (pending.size) await Promise.all([...pending]);
    },
    async close() {
      abort.abort();
      await this.settled();
    },
  };
}
