/**
 * jobs/ owns the one background job runner (DESIGN.md §2): every queue — NLP extraction, twin refresh,
 * reindex, and later export and subscription delivery — is a name and a QueueHandler. Jobs are enqueued in
 * the writing transaction, claimed from the store's job table with FOR UPDATE SKIP LOCKED under a lease
 * (N servers never run one job at once; a crashed worker's job is claimed again once its lease expires),
 * completed inside the transaction that writes their results, retried with backoff and jitter, and drained
 * on shutdown. Idle queues sleep until their next job is due.
 */
import type { Clock } from '../core/clock';
import { LeaseLostError } from '../core/lease-lost-error';
import type { Job, ResourceStore } from '../store/types';
import { retryDelayMs } from './backoff';
import type { Logger } from '../core/logger';
import type { JobLease, JobRunner, QueueHandler } from './types';

// ---- one claimed job, from start to end: done, retried, given up, or lost to another worker ----

export interface JobContext {
  store: Pick<ResourceStore, 'jobs' | 'transaction'>;
  logger: Logger;
  clock: Clock;
  owner: string;
  /** Aborted when the runner closes. */
  signal: AbortSignal;
  /** After every job of any queue (runner-wide metrics). */
  onOutcome?(queue: string, outcome: string, ms: number): void;
}

/** What a job's completion read about its queue: when the next job is due, and the loop's wake count when it was asked. */
export interface QueueRead { due: Date | null; wakes: number }

/** The lease, and what its completion read (undefined: not completed). `wakes`: the loop's count of wakes it could not serve. */
function leaseOf(c: JobContext, job: Job, wakes: () => number): { lease: JobLease; read(): QueueRead | undefined } {
  let read: QueueRead | undefined;
  const completed = async (asked: number, due: Promise<Date | null>): Promise<void> => { read = { due: await due, wakes: asked }; };
  const lease: JobLease = {
    job,
    owner: c.owner,
    complete: (tx, then) => completed(wakes(), tx.completeJob(job.id, c.owner, then)),
    completeAlone: (then) => completed(wakes(), c.store.jobs.complete(job.id, c.owner, then)),
    completedBy: () => {
      const asked = wakes();
      return (due) => { read = { due, wakes: asked }; };
    },
    fail: (reason) => c.store.jobs.fail(job.id, c.owner, reason),
    signal: c.signal,
    release: () => c.store.jobs.retry(job.id, c.owner, c.clock.now(), 'released unfinished: its worker shut down'),
  };
  return { lease, read: () => read };
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

async function attempt(h: QueueHandler, c: JobContext, lease: JobLease, onThrow: () => void): Promise<string> {
  const { job } = lease;
  if (job.attempts > job.maxAttempts) {
    // Claimed more often than allowed: the earlier attempts died with their process (lease expiry).
    await giveUp(h, c, lease, `gave up after ${job.maxAttempts} attempts (the worker stopped during each one)`);
    return 'failed';
  }
  try {
    return await h.run(lease);
  } catch (err) {
    onThrow();
    return failed(h, c, lease, err);
  }
}

/**
 * Runs one job with its lease renewed meanwhile (a long job may outlive one lease). Returns what the job's
 * completion read about the queue, or undefined when the job did not complete normally (ask the store).
 */
async function runJob(h: QueueHandler, c: JobContext, job: Job, wakes: () => number): Promise<QueueRead | undefined> {
  const started = Date.now();
  const renew = setInterval(() => {
    c.store.jobs.extendLease(job.id, c.owner, h.leaseMs).catch(() => undefined);
  }, Math.max(50, Math.floor(h.leaseMs / 3)));
  let outcome: string;
  const held = leaseOf(c, job, wakes);
  let threw = false;
  try {
    outcome = await attempt(h, c, held.lease, () => { threw = true; });
  } catch (err) {
    // The database went away mid-job: the lease expires and the job is claimed again later.
    outcome = 'error';
    threw = true;
    c.logger.warn({ err, queue: h.queue, job: job.id }, 'job interrupted; it runs again once its lease expires');
  } finally {
    clearInterval(renew);
  }
  const ms = Date.now() - started;
  h.onOutcome?.(job, outcome, ms);
  c.onOutcome?.(h.queue, outcome, ms);
  // A completion inside a transaction that then rolled back (the handler threw) said nothing true.
  return threw ? undefined : held.read();
}

// ---- one claim loop per queue ----

/** One queue's claim loop; one pass at a time, a wake during a pass schedules another right after it. */
class QueueLoop {
  private closed = false;
  private active = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private pumping = false;
  private again = false;
  /** Wakes that found every worker busy (each may mean a job was queued): counted, compared with a completion's read. */
  private missed = 0;
  /** The claim pass under way: close waits for it, so no job is claimed behind a closed runner's back. */
  private pass: Promise<void> | undefined;

  constructor(private readonly h: QueueHandler, private readonly c: JobContext) {}

  readonly wake = (): void => {
    if (this.closed) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    let sleep = this.h.pollMs;
    this.pass = this.fill()
      .then((ms) => { sleep = ms; })
      .catch((err: unknown) => this.c.logger.warn({ err, queue: this.h.queue }, 'claiming jobs failed; will retry'))
      .finally(() => {
        this.pumping = false;
        this.pass = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        } else {
          this.schedule(sleep);
        }
      });
  };

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.pass;
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(this.wake, Math.max(0, Math.min(this.h.pollMs, ms)));
    this.timer.unref();
  }

  /** Claims while there are free workers and due jobs; returns how long to sleep (until the next due job). */
  private async fill(): Promise<number> {
    const { h, c } = this;
    let due: Date | null | undefined;
    if (this.active >= h.workers) this.missed++;
    while (!this.closed && this.active < h.workers) {
      const claimed = await c.store.jobs.claimOrNextDue(h.queue, c.owner, h.leaseMs, h.workers - this.active);
      const jobs = claimed.jobs;
      if (!jobs.length) {
        due = claimed.nextDue;
        break;
      }
      if (this.closed) {
        // Claimed while the runner closed: hand the jobs back at once. Left running, they would hold their
        // lease (and a subscription's delivery lease) for a full lease period after a graceful restart.
        await Promise.all(jobs.map((j) => c.store.jobs.retry(j.id, c.owner, c.clock.now(), 'released unstarted: the runner closed')));
        break;
      }
      for (const job of jobs) this.run(job);
    }
    if (this.closed || this.active >= h.workers) return h.pollMs;
    // Known from the claim that found nothing (null: nothing waiting); asked only after a claim that was cut short.
    if (due === undefined) due = await c.store.jobs.nextDue(h.queue);
    return due ? due.getTime() - Date.now() + 5 : h.pollMs;
  }

  private run(job: Job): void {
    this.active++;
    const p = runJob(this.h, this.c, job, () => this.missed).then((read) => read, () => undefined).then((read) => {
      this.active--;
      this.inFlight.delete(p);
      // The job's completion read when the queue's next job is due: sleep until then instead of asking again,
      // unless it did not complete or a wake it could not have seen came while every worker was busy.
      // A job due already is claimed at once, as before.
      if (read === undefined || this.missed > read.wakes || this.closed || (read.due && read.due.getTime() <= Date.now())) this.wake();
      else this.schedule(read.due ? read.due.getTime() - Date.now() + 5 : this.h.pollMs);
    });
    this.inFlight.add(p);
  }
}

export type JobRunnerOptions = Omit<JobContext, 'signal'>;

/** Starts a loop per handler (workers > 0); each picks up due jobs at once, also those left by a restart. */
export function startJobRunner(o: JobRunnerOptions, handlers: readonly QueueHandler[]): JobRunner {
  const stop = new AbortController();
  const c: JobContext = { ...o, signal: stop.signal };
  const queues = new Set<string>();
  for (const h of handlers) {
    if (queues.has(h.queue)) throw new Error(`Two handlers for job queue '${h.queue}'`);
    queues.add(h.queue);
  }
  const loops = new Map(handlers.filter((h) => h.workers > 0).map((h) => [h.queue, new QueueLoop(h, c)]));
  for (const loop of loops.values()) loop.wake();
  return {
    wake(queue) {
      if (queue === undefined) for (const loop of loops.values()) loop.wake();
      else loops.get(queue)?.wake();
    },
    async close() {
      stop.abort();
      await Promise.all([...loops.values()].map((l) => l.close()));
    },
  };
}
