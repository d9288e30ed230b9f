import fs from 'node:fs/promises';
import path from 'node:path';
import { nodeCrypto } from '../lazy-builtins.js';
import * as z from 'zod/mini';
import { isAlive, processStartTime } from '../process/alive.js';

/** What a lock file holds: who, since when, and a token unique to this holding. */
export const PidLockSchema = z.object({
  pid: z.number().check(z.int(), z.positive()),
  /** The holder's start time as the OS reports it (pids are reused); absent where it cannot be read. */
  startTime: z.optional(z.string()),
  /** A new random token per acquisition: a holder can tell its lock from a successor's. */
  token: z.string().check(z.minLength(8)),
  at: z.string(),
});
export type PidLockContent = z.infer<typeof PidLockSchema>;

export interface ProcessProbe {
  isAlive(pid: number): boolean;
  startTime(pid: number): string | undefined;
}

export const systemProbe: ProcessProbe = { isAlive, startTime: processStartTime };

/**
 * Is the process that wrote this lock still that same process? Dead only when proven: the pid is
 * gone, or it now belongs to a process that started at another time. A start time that cannot be
 * read (another OS, a locked-down /proc) proves nothing, so the holder counts as alive.
 */
export function holderAlive(
  c: { pid: number; startTime?: string },
  probe: ProcessProbe = systemProbe,
): boolean {
  if (!probe.isAlive(c.pid)) return false;
  if (c.startTime === undefined) return true;
  const now = probe.startTime(c.pid);
  return now === undefined || now === c.startTime;
}

export type LockVerdict =
  | { kind: 'held'; holder: PidLockContent }
  /** Empty or half-written, younger than the grace: its writer may be between create and write. */
  | { kind: 'being-written'; ageMs: number }
  | { kind: 'stale'; why: string };

/** What to make of an existing lock file (pure, given what was read). */
export function judgeLock(
  text: string,
  ageMs: number,
  graceMs: number,
  probe: ProcessProbe = systemProbe,
): LockVerdict {
  const parsed = safeParse(text);
  if (!parsed) {
    if (ageMs < graceMs) return { kind: 'being-written', ageMs };
    return { kind: 'stale', why: `unreadable lock older than ${Math.round(graceMs / 1000)} s` };
  }
  if (holderAlive(parsed, probe)) return { kind: 'held', holder: parsed };
  return { kind: 'stale', why: `its holder (pid ${parsed.pid}) is gone` };
}

function safeParse(text: string): PidLockContent | undefined {
  try {
    const r = PidLockSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

export interface HeldPidLock {
  readonly content: PidLockContent;
  /** The stale lock this acquisition replaced, if any (for the log). */
  readonly replaced?: string;
  /** Still ours (not removed or replaced by someone else)? */
  stillHeld(): Promise<boolean>;
  release(): Promise<void>;
}

export interface AcquireOptions {
  /** How old an unreadable lock must be before it is taken over (its writer may be slow). */
  graceMs?: number;
  probe?: ProcessProbe;
  now?: () => number;
  /** Wait for a live holder to let go, up to this long (default: give up at once). */
  waitMs?: number;
  pollMs?: number;
}

/**
 * One holder per lock file, for the supervisor and the worker alike. Created exclusively (`wx`);
 * an existing lock is taken over only when its holder is proven dead, or when it is unreadable and
 * older than `graceMs`. The takeover renames the stale file aside first and checks it is the file
 * it judged, so two processes taking over one stale lock cannot both win.
 */
export async function acquirePidLock(
  file: string,
  opts: AcquireOptions = {},
): Promise<HeldPidLock | { held: false; holder?: PidLockContent; why: string }> {
  const probe = opts.probe ?? systemProbe;
  const now = opts.now ?? Date.now;
  const graceMs = opts.graceMs ?? 10_000;
  const deadline = now() + Math.max(opts.waitMs ?? 0, 0);
  await fs.mkdir(path.dirname(file), { recursive: true });
  let replaced: string | undefined;
  for (;;) {
    const mine: PidLockContent = {
      pid: process.pid,
      ...(probe.startTime(process.pid) ? { startTime: probe.startTime(process.pid) } : {}),
      token: nodeCrypto().randomBytes(8).toString('hex'),
      at: new Date(now()).toISOString(),
    };
    if (await tryCreate(file, mine)) return held(file, mine, replaced);
    const seen = await readWithAge(file, now());
    if (!seen) continue; // released meanwhile: try again at once
    const verdict = judgeLock(seen.text, seen.ageMs, graceMs, probe);
    if (verdict.kind === 'stale') {
      if (await takeAside(file, seen.text)) replaced = verdict.why;
      continue;
    }
    if (now() >= deadline && verdict.kind === 'held') {
      return { held: false, holder: verdict.holder, why: `held by pid ${verdict.holder.pid}` };
    }
    // Being written (wait for the writer or the grace), or held and we were asked to wait.
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 100));
  }
}

async function tryCreate(file: string, content: PidLockContent): Promise<boolean> {
  let fh;
  try {
    fh = await fs.open(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    await fh.writeFile(`${JSON.stringify(content)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return true;
}

async function readWithAge(file: string, now: number): Promise<{ text: string; ageMs: number } | undefined> {
  try {
    const [text, st] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
    return { text, ageMs: now - st.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Moves a stale lock aside; true when the file moved was the one judged stale. */
async function takeAside(file: string, judged: string): Promise<boolean> {
  const aside = `${file}.stale-${nodeCrypto().randomBytes(6).toString('hex')}`;
  try {
    await fs.rename(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  const moved = await fs.readFile(aside, 'utf8').catch(() => '');
  if (moved === judged) {
    await fs.rm(aside, { force: true });
    return true;
  }
  // We moved a lock someone took a moment ago: put it back (unless yet another one is there).
  await fs.link(aside, file).catch(() => undefined);
  await fs.rm(aside, { force: true });
  return false;
}

function held(file: string, content: PidLockContent, replaced: string | undefined): HeldPidLock {
  const mineNow = async () => {
    const text = await fs.readFile(file, 'utf8').catch(() => '');
    return safeParse(text)?.token === content.token;
  };
  return {
    content,
    ...(replaced ? { replaced } : {}),
    stillHeld: mineNow,
    release: async () => {
      if (await mineNow()) await fs.rm(file, { force: true });
    },
  };
}

export function isHeld(r: HeldPidLock | { held: false }): r is HeldPidLock {
  return !('held' in r);
}

/** Reads a lock file for status and stop requests: the holder if the lock is readable. */
export async function readPidLock(file: string): Promise<PidLockContent | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : safeParse(text);
}
