/**
 * One claimed job from start to end: its lease renewed while the handler works, and every way it can end —
 * done, retried with backoff and jitter, given up after its attempts, or lost to another worker — handled the
 * same way for every queue.
 */
import type { Clock } from '../core/clock';
import { LeaseLostError } from '../core/lease-lost-error';
import type { Job, ResourceStore } from '../store/types';
import { retryDelayMs } from './backoff';
import type { JobLease, JobLogger, QueueHandler } from './types';

export interface JobContext {
  store: Pick<ResourceStore, 'jobs' | 'transaction'>;
  logger: JobLogger;
  clock: Clock;
  owner: string;
  /** Aborted when the runner closes. */
  signal: AbortSignal;
  /** After every job of any queue (runner-wide metrics). */
  onOutcome?(queue: string, outcome: string, ms: number): void;
}

function leaseOf(c: JobContext, job: Job): JobLease {
  return {
    job,
    owner: c.owner,
    complete: (tx) => tx.completeJob(job.id, c.owner),
    fail: (reason) => c.store.jobs.fail(job.id, c.owner, reason),
    signal: c.signal,
    release: () => c.store.jobs.retry(job.id, c.owner, c.clock.now(), 'released unfinished: its worker shut down'),
  };
}

const giveUp = (h: QueueHandler, c: JobContext, lease: JobLease, reason: string): Promise<void> =>
  h.giveUp ? h.giveUp(lease, reason) : lease.fail(reason);

/** A failed run: retried with backoff unless permanent or out of attempts. */
async function failed(h: QueueHandler, c: JobContext, lease: JobLease, err: unknown): Promise<string> {
  if (err instanceof LeaseLostError) return 'lost';
  const { job } = lease;
  const kind = h.classify?.(err) ?? {};
  const message = err instanceof Error ? err.message : String(err);
  if (kind.permanent || job.attempts >= job.maxAttempts) {
    if (!kind.permanent) c.logger.error({ err, queue: h.queue, job: job.id, attempts: job.attempts }, 'job failed for good');
    await giveUp(h, c, lease, message);
    return 'failed';
  }
  if (!kind.expected) c.logger.warn({ err, queue: h.queue, job: job.id, attempt: job.attempts }, 'job failed; will retry');
  const retryAt = new Date(c.clock.now().getTime() + retryDelayMs(job.attempts, h.backoff, kind.retryAfterMs));
  await h.retrying?.(lease, message, retryAt);
  await c.store.jobs.retry(job.id, c.owner, retryAt, message);
  return 'retry';
}

async function attempt(h: QueueHandler, c: JobContext, lease: JobLease): Promise<string> {
  const { job } = lease;
  if (job.attempts > job.maxAttempts) {
    // Claimed more often than allowed: the earlier attempts died with their process (lease expiry).
    await giveUp(h, c, lease, `gave up after ${job.maxAttempts} attempts (the worker stopped during each one)`);
    return 'failed';
  }
  try {
    return await h.run(lease);
  } catch (err) {
    return failed(h, c, lease, err);
  }
}

/** Runs one job with its lease renewed meanwhile (a long job may outlive one lease). */
export async function runJob(h: QueueHandler, c: JobContext, job: Job): Promise<void> {
  const started = Date.now();
  const renew = setInterval(() => {
    c.store.jobs.extendLease(job.id, c.owner, h.leaseMs).catch(() => undefined);
  }, Math.max(50, Math.floor(h.leaseMs / 3)));
  let outcome: string;
  try {
    outcome = await attempt(h, c, leaseOf(c, job));
  } catch (err) {
    // The database went away mid-job: the lease expires and the job is claimed again later.
    outcome = 'error';
    c.logger.warn({ err, queue: h.queue, job: job.id }, 'job interrupted; it runs again once its lease expires');
  } finally {
    clearInterval(renew);
  }
  const ms = Date.now() - started;
  h.onOutcome?.(job, outcome, ms);
  c.onOutcome?.(h.queue, outcome, ms);
}
