import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import type { NotifyConfig } from '../config/schema.js';
import { HeadlessError } from '../errors/headless-error.js';
import type { NotifyEvent } from './event.js';

export type WebhookConfig = NonNullable<NotifyConfig['webhook']>;

/** A POST that did not get a 2xx answer; `retryable` for network faults, timeouts, 408, 429 and 5xx. */
export class WebhookError extends HeadlessError {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, undefined, options);
  }
}

export interface WebhookOptions {
  /** First retry delay (default 1 s); it doubles up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Ends retries and the request in flight (the notifier's close). */
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

/** POSTs one event as JSON, with a timeout per request and retries with exponential backoff. */
export async function postWebhook(
  cfg: WebhookConfig,
  ev: NotifyEvent,
  opts: WebhookOptions = {},
): Promise<number> {
  const doFetch = opts.fetch ?? fetch;
  const policy = retry(
    handleWhen((err) => err instanceof WebhookError && err.retryable),
    {
      maxAttempts: cfg.retries,
      backoff: new ExponentialBackoff({
        initialDelay: opts.initialDelayMs ?? 1000,
        maxDelay: opts.maxDelayMs ?? 30_000,
      }),
    },
  );
  return policy.execute(async () => {
    const signals = [AbortSignal.timeout(cfg.timeoutMs), ...(opts.signal ? [opts.signal] : [])];
    let res: Response;
    try {
      res = await doFetch(cfg.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'headless', ...cfg.headers },
        body: JSON.stringify(ev),
        signal: AbortSignal.any(signals),
        redirect: 'follow',
      });
    } catch (err) {
      const aborted = opts.signal?.aborted === true;
      const what =
        err instanceof Error && err.name === 'TimeoutError'
          ? `no answer within ${cfg.timeoutMs} ms`
          : errText(err);
      throw new WebhookError(`notify webhook ${safeUrl(cfg.url)}: ${what}`, !aborted, { cause: err });
    }
    // The body is not needed; reading it frees the connection.
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return res.status;
    const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
    throw new WebhookError(`notify webhook ${safeUrl(cfg.url)}: HTTP ${res.status}`, retryable);
  }, opts.signal);
}

function errText(err: unknown): string {
  // Duck-typed: fetch's errors may come from another realm (jest's VM), where instanceof fails.
  const e = err as { message?: unknown; cause?: { code?: unknown } } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const code = e?.cause?.code;
  return typeof code === 'string' ? `${message} (${code})` : message;
}

/** The URL without credentials or query (a token may sit there), for logs. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}
