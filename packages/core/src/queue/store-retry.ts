import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';

/** File-system faults that pass (space freed, a remount, antivirus letting go): worth waiting out. */
const PASSING = new Set(['EROFS', 'EACCES', 'ENOSPC', 'EIO', 'EPERM', 'EBUSY', 'EMFILE', 'ENFILE', 'EDQUOT']);

export function isPassingFault(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && PASSING.has(code);
}

/**
 * Runs a store change until it succeeds, waiting out passing file-system faults with backoff
 * (0.25 s doubling to 5 s) until `signal` aborts: a finished attempt's result is never thrown away
 * because the disk was full for a moment. Other errors are thrown at once.
 */
export async function untilStored<T>(
  change: () => Promise<T>,
  opts: { signal?: AbortSignal; onFault?: (err: unknown, attempt: number) => void } = {},
): Promise<T> {
  const policy = retry(handleWhen(isPassingFault), {
    backoff: new ExponentialBackoff({ initialDelay: 250, maxDelay: 5_000 }),
  });
  policy.onRetry((e) => {
    if ('error' in e) opts.onFault?.(e.error, e.attempt);
  });
  return policy.execute(() => change(), opts.signal);
}
