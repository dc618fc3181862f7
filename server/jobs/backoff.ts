/** Retry delays for failed jobs: exponential with jitter, at least what the failing service asked for. */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export function retryDelayMs(attempt: number, o: BackoffOptions, retryAfterMs?: number, random: () => number = Math.random): number {
  const exp = Math.min(o.maxMs, o.baseMs * 2 ** Math.max(0, attempt - 1));
  // full jitter on the upper half keeps N failing workers from retrying in lockstep
  const jittered = exp / 2 + random() * (exp / 2);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}
