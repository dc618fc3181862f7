/** Retries for a client talking to a busy server: exponential backoff with full jitter, Retry-After honoured. */
import { setTimeout as sleep } from 'node:timers/promises';
import { type RequestFailure, failureOf } from './request-failure';

export interface RetryPolicy {
  retries: number;
  baseMs: number;
  maxMs: number;
}

/** 408, 429 and 5xx (and no answer at all) may succeed later; every other 4xx will not. */
export const isRetryable = (f: RequestFailure): boolean => f.status === 0 || f.status === 408 || f.status === 429 || f.status >= 500;

/** Delay before attempt `attempt` (1-based retry count): the server's Retry-After wins when it names one. */
export function retryDelayMs(policy: RetryPolicy, attempt: number, retryAfterSeconds?: number, random = Math.random): number {
  if (retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0) {
    return Math.min(policy.maxMs, retryAfterSeconds * 1000);
  }
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.floor(random() * cap); // full jitter: many clients retrying never stampede together
}

/** Runs `fn` until it succeeds, fails for good, or the retries are spent; throws the last RequestFailure. */
export async function withRetries<T>(policy: RetryPolicy, fn: () => Promise<T>, onRetry?: (f: RequestFailure, attempt: number) => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const failure = failureOf(err);
      if (attempt > policy.retries || !isRetryable(failure)) throw failure;
      onRetry?.(failure, attempt);
      await sleep(retryDelayMs(policy, attempt, failure.retryAfterSeconds));
    }
  }
}
