import type { NotifyConfig } from '../config/schema.js';
import type { ProcessRunner, RunResult } from '../process/types.js';
import type { NotifyEvent } from './event.js';

export type CommandConfig = NonNullable<NotifyConfig['command']>;

/**
 * Runs the user's notify command once: argv as configured (no shell), the event as one JSON line on
 * stdin (then closed), the whole tree ended after `timeoutSec`. The environment is the worker's own,
 * plus HEADLESS_EVENT and HEADLESS_TASK for scripts that do not read stdin.
 */
export async function runNotifyCommand(
  runner: ProcessRunner,
  cfg: CommandConfig,
  ev: NotifyEvent,
  opts: { cwd: string; env: Readonly<Record<string, string | undefined>>; signal?: AbortSignal },
): Promise<RunResult> {
  const [executable, ...args] = cfg.argv as [string, ...string[]];
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.env)) if (v !== undefined) env[k] = v;
  env['HEADLESS_EVENT'] = ev.event;
  if (ev.task !== undefined) env['HEADLESS_TASK'] = ev.task;
  return runner.run({
    executable,
    args,
    cwd: opts.cwd,
    env,
    input: `${JSON.stringify(ev)}\n`,
    timeoutMs: cfg.timeoutSec * 1000,
    killGraceMs: 2000,
    maxCaptureBytes: 16 * 1024,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}

/** Why a finished notify command counts as failed, or undefined when it worked. */
export function commandFailure(cfg: CommandConfig, r: RunResult): string | undefined {
  const name = cfg.argv[0];
  if (r.endReason === 'exited' && r.exitCode === 0) return undefined;
  if (r.endReason === 'not-found' || r.endReason === 'spawn-error')
    return `notify command ${name}: ${r.error ?? r.endReason}`;
  if (r.endReason === 'timeout')
    return `notify command ${name}: still running after ${cfg.timeoutSec} s, ended`;
  const tail = r.stderr.trim().split('\n').slice(-1)[0] ?? '';
  return `notify command ${name}: exit ${r.exitCode ?? r.signal ?? r.endReason}${tail ? `: ${tail.slice(0, 200)}` : ''}`;
}
