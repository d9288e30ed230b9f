/**
 * Decides when an inbox file may be read: a writer may still be appending to it. A file is ready
 * when its size and mtime have not changed for `settleMs` and it ends with a newline; a file that
 * does not end with a newline is read only after it has been still for `staleMs` (a writer that died
 * mid-line), and its last line is then judged like any other.
 */
export interface FileObservation {
  size: number;
  mtimeMs: number;
  endsWithNewline: boolean;
}

export interface SettleState {
  size: number;
  mtimeMs: number;
  stableSince: number;
}

export function settleDecision(
  prev: SettleState | undefined,
  obs: FileObservation,
  now: number,
  settleMs: number,
  staleMs: number,
): { ready: boolean; next: SettleState } {
  const unchanged = prev !== undefined && prev.size === obs.size && prev.mtimeMs === obs.mtimeMs;
  const next: SettleState = unchanged ? prev : { size: obs.size, mtimeMs: obs.mtimeMs, stableSince: now };
  const stillFor = now - next.stableSince;
  // A file whose mtime is already old was written before we looked: no need to watch it settle.
  const age = now - obs.mtimeMs;
  const quietFor = Math.max(stillFor, age);
  if (obs.size === 0) return { ready: quietFor >= staleMs, next };
  if (obs.endsWithNewline) return { ready: quietFor >= settleMs, next };
  return { ready: quietFor >= staleMs, next };
}
