import {
  ExponentialBackoff,
  decorrelatedJitterGenerator,
  fullJitterGenerator,
  halfJitterGenerator,
  noJitterGenerator,
  type GeneratorFn,
  type IBackoff,
} from 'cockatiel';
import type { PoliciesConfig } from '../config/schema.js';

export type RetryPolicy = PoliciesConfig['retry'];

function generatorFor(jitter: RetryPolicy['jitter']): GeneratorFn<unknown> {
  switch (jitter) {
    case 'none':
      return noJitterGenerator as GeneratorFn<unknown>;
    case 'full':
      return fullJitterGenerator as GeneratorFn<unknown>;
    case 'half':
      return halfJitterGenerator as GeneratorFn<unknown>;
    case 'decorrelated':
      return decorrelatedJitterGenerator as GeneratorFn<unknown>;
  }
}

/**
 * The wait before the next attempt after attempt `failedAttempt` (1-based) failed, from cockatiel's
 * exponential backoff with the configured jitter. The queue is durable, so the backoff is replayed
 * from its start instead of kept in memory: a restarted worker computes the same distribution.
 */
export function retryDelayMs(policy: RetryPolicy, failedAttempt: number): number {
  const factory = new ExponentialBackoff({
    generator: generatorFor(policy.jitter),
    initialDelay: policy.baseDelayMs,
    maxDelay: policy.maxDelayMs,
    exponent: 2,
  });
  let backoff: IBackoff<unknown> = factory.next();
  for (let i = 1; i < failedAttempt; i++) backoff = backoff.next(undefined);
  return Math.round(backoff.duration);
}

/** The closed range `retryDelayMs` can return for this attempt (for docs, status and tests). */
export function retryDelayBounds(policy: RetryPolicy, failedAttempt: number): { min: number; max: number } {
  const exp = policy.baseDelayMs * 2 ** (failedAttempt - 1);
  const cap = (n: number) => Math.min(policy.maxDelayMs, n);
  switch (policy.jitter) {
    case 'none':
      return { min: cap(exp), max: cap(exp) };
    case 'full':
      return { min: 0, max: cap(exp) };
    case 'half':
      return { min: Math.floor(cap(exp) / 2), max: cap(exp) };
    case 'decorrelated':
      // Polly's DecorrelatedJitterV2: each step is below 2^(n) * tanh(..) / 1.4 of the base.
      return { min: 0, max: cap(Math.ceil((policy.baseDelayMs * 2 ** failedAttempt) / 1.4)) };
  }
}

export interface RetryInput {
  retryable: boolean;
  /** A reset time the tool printed (usage limits): wait for it instead of the backoff. */
  resetAt?: string;
  /** Attempts started so far, this one included. */
  attempt: number;
  maxAttempts: number;
  now: Date;
  policy: RetryPolicy;
}

export type RetryDecision =
  { action: 'retry'; notBefore: Date; delayMs: number; why: string } | { action: 'fail'; why: string };

/** Whether a failed attempt is retried, and when. Pure. */
export function decideRetry(input: RetryInput): RetryDecision {
  if (!input.retryable) return { action: 'fail', why: 'not retryable' };
  if (input.attempt >= input.maxAttempts) {
    return { action: 'fail', why: `attempts exhausted (${input.attempt} of ${input.maxAttempts})` };
  }
  if (input.resetAt) {
    const resetMs = Date.parse(input.resetAt) - input.now.getTime();
    const capMs = input.policy.maxResetWaitSec * 1000;
    if (Number.isFinite(resetMs) && resetMs > 0 && resetMs <= capMs) {
      // A little jitter after the reset so parked tasks of one tool do not all start in the same second.
      const delayMs = resetMs + Math.min(30000, retryDelayMs({ ...input.policy, jitter: 'full' }, 1));
      return {
        action: 'retry',
        notBefore: new Date(input.now.getTime() + delayMs),
        delayMs,
        why: `tool reset time ${input.resetAt}`,
      };
    }
    if (Number.isFinite(resetMs) && resetMs > capMs) {
      return { action: 'fail', why: `tool reset time ${input.resetAt} is beyond retry.maxResetWaitSec` };
    }
  }
  const delayMs = retryDelayMs(input.policy, input.attempt);
  return { action: 'retry', notBefore: new Date(input.now.getTime() + delayMs), delayMs, why: 'backoff' };
}
