import fs from 'node:fs/promises';
import * as z from 'zod/mini';
import type { Clock } from '../clock.js';
import { stateFile } from '../run-state/state-file.js';
import {
  ToolBreakers,
  type BreakerPolicy,
  type BreakersSnapshot,
  type ToolBreakersOptions,
} from './tool-breakers.js';

export const BreakersSnapshotSchema = z.record(
  z.string(),
  z.object({ policy: z.unknown(), lastReason: z.optional(z.string()) }),
);

/** Tool -> when the user last asked to close its breaker. Read by every process that holds breakers. */
export const BreakerResetsSchema = z.record(z.string(), z.string());

export function breakersFile(file: string) {
  return stateFile(file, BreakersSnapshotSchema);
}

export function breakerResetsFile(file: string) {
  return stateFile(file, BreakerResetsSchema);
}

export interface BreakerRegistry {
  readonly breakers: ToolBreakers;
  /** Closes the breakers the user reset since the last look; returns their tools. */
  applyResets(): Promise<string[]>;
  /** Waits for the last save. */
  settled(): Promise<void>;
}

/**
 * The per-tool breakers of one process (the worker, or the orchestrator's loops), persisted in its
 * own file (one writer per file), and closed by the user's resets (`headless retry --reset-breaker`),
 * which reach every holder through the shared resets file.
 */
export async function openBreakerRegistry(opts: {
  file: string;
  resetsFile: string;
  policy: BreakerPolicy;
  clock?: Clock;
  warn?: (msg: string) => void;
  /** A tool's breaker opened (see ToolBreakersOptions.onOpen). */
  onOpen?: ToolBreakersOptions['onOpen'];
}): Promise<BreakerRegistry> {
  const store = breakersFile(opts.file);
  const resets = breakerResetsFile(opts.resetsFile);
  const savedAt = await fs.stat(opts.file).then(
    (s) => s.mtime.toISOString(),
    () => new Date(0).toISOString(),
  );
  const initial = (await store.readOrDefault({}, (err) =>
    opts.warn?.(`${err.message}; every breaker starts closed`),
  )) as BreakersSnapshot;
  let chain: Promise<void> = Promise.resolve();
  // Every attempt's end reports the state, mostly unchanged (a closed breaker after a success): the
  // file is rewritten only when it would change (a write is four file operations per task).
  let last = JSON.stringify(initial);
  const save = (s: BreakersSnapshot) => {
    const text = JSON.stringify(s);
    if (text === last) return;
    last = text;
    const write = () =>
      store.write(s, { fsync: false }).catch((err: unknown) => {
        last = ''; // not on disk: the next report writes it again
        throw err;
      });
    const next = chain.then(write, write);
    chain = next.catch((err: unknown) => opts.warn?.(`could not save breaker state: ${String(err)}`));
  };
  const breakers = new ToolBreakers(opts.policy, {
    ...(opts.clock ? { clock: opts.clock } : {}),
    initial,
    onChange: save,
    ...(opts.onOpen ? { onOpen: opts.onOpen } : {}),
  });
  // Resets asked for while this process was down still count; older ones were already applied.
  const seen = new Map<string, string>();
  const applyResets = async (): Promise<string[]> => {
    const asked = await resets.readOrDefault({}, (err) => opts.warn?.(err.message));
    const closed: string[] = [];
    for (const [tool, at] of Object.entries(asked)) {
      const last = seen.get(tool) ?? savedAt;
      if (at <= last) continue;
      seen.set(tool, at);
      breakers.reset(tool);
      closed.push(tool);
    }
    return closed;
  };
  for (const [tool, at] of Object.entries(await resets.readOrDefault({})))
    if (at <= savedAt) seen.set(tool, at);
  return { breakers, applyResets, settled: () => chain };
}

/** Records a user's reset of `tool` (the caller holds the worker lock: one writer at a time). */
export async function requestBreakerReset(resetsFile: string, tool: string, now: Date): Promise<void> {
  const f = breakerResetsFile(resetsFile);
  const cur = await f.readOrDefault({});
  await f.write({ ...cur, [tool]: now.toISOString() }, { fsync: false });
}
