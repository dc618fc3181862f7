/**
 * The twin refresher: claims 'twin' jobs under a lease (FOR UPDATE SKIP LOCKED: N servers never rebuild one
 * job twice at once), rebuilds in ONE transaction that also completes the job, retries failures with
 * backoff and fails a job for good after maxAttempts. Idle workers sleep until the next job is due.
 */
import { systemContext } from '../core/access-context';
import type { Clock } from '../core/clock';
import { FhirError } from '../core/fhir-error';
import type { Job, ResourceStore } from '../store/types';
import { type RebuildOptions, rebuildTwin } from './build-twin';
import { TWIN_QUEUE } from './outbox-hook';

export interface TwinLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface TwinRefresherOptions {
  store: ResourceStore;
  logger: TwinLogger;
  clock: Clock;
  /** Unique per process: the lease owner. */
  owner: string;
  /** Jobs rebuilt at once in this process. */
  workers: number;
  leaseMs: number;
  /** Longest idle sleep (jobs of other servers, retries that became due). */
  pollMs: number;
  /** Retry delay after the n-th failed attempt: min(maxBackoffMs, backoffMs · 2^(n-1)). */
  backoffMs: number;
  maxBackoffMs: number;
  /** Validation and paging of the rebuild. */
  rebuild?: Omit<RebuildOptions, 'now'>;
  /** Called after each job (tests, metrics). */
  onJob?: (job: Job, outcome: TwinJobOutcome, ms: number) => void;
}

export type TwinJobOutcome = 'rebuilt' | 'unchanged' | 'retry' | 'failed' | 'lost';

export interface TwinRefresher {
  /** Looks for due jobs now (a write was just committed). */
  wake(): void;
  /** Stops claiming and waits for the rebuilds in flight. */
  close(): Promise<void>;
}

const isLostLease = (err: unknown): boolean => err instanceof FhirError && err.status === 409 && /no longer held/.test(err.message);

async function failed(o: TwinRefresherOptions, job: Job, err: unknown): Promise<TwinJobOutcome> {
  if (isLostLease(err)) return 'lost';
  const message = err instanceof Error ? err.message : String(err);
  if (job.attempts >= job.maxAttempts) {
    o.logger.error({ err, job: job.id, patient: job.payload.patientId }, 'twin rebuild failed for good');
    await o.store.jobs.fail(job.id, o.owner, message);
    return 'failed';
  }
  o.logger.warn({ err, job: job.id, attempt: job.attempts }, 'twin rebuild failed; will retry');
  const delay = Math.min(o.maxBackoffMs, o.backoffMs * 2 ** Math.max(0, job.attempts - 1));
  await o.store.jobs.retry(job.id, o.owner, new Date(o.clock.now().getTime() + delay), message);
  return 'retry';
}

async function processJob(o: TwinRefresherOptions, job: Job): Promise<TwinJobOutcome> {
  const patientId = job.payload.patientId;
  if (typeof patientId !== 'string' || patientId === '') {
    await o.store.jobs.fail(job.id, o.owner, 'malformed twin job payload: no patientId');
    return 'failed';
  }
  if (job.attempts > job.maxAttempts) {
    // Claimed more often than allowed: earlier attempts died with their process (lease expiry).
    await o.store.jobs.fail(job.id, o.owner, `gave up after ${job.maxAttempts} attempts (interrupted each time)`);
    return 'failed';
  }
  const ctx = systemContext(`twin-job-${job.id}`);
  try {
    const result = await o.store.transaction(async (tx) => {
      const r = await rebuildTwin(tx, ctx, patientId, { ...o.rebuild, now: o.clock.now() });
      await tx.completeJob(job.id, o.owner);
      return r;
    });
    return result.changed ? 'rebuilt' : 'unchanged';
  } catch (err) {
    return failed(o, job, err);
  }
}

/** Runs one job with its lease renewed meanwhile (a large twin may take longer than the lease). */
async function runLeased(o: TwinRefresherOptions, job: Job): Promise<void> {
  const started = Date.now();
  const renew = setInterval(() => {
    o.store.jobs.extendLease(job.id, o.owner, o.leaseMs).catch(() => undefined);
  }, Math.max(50, Math.floor(o.leaseMs / 3)));
  try {
    const outcome = await processJob(o, job);
    o.onJob?.(job, outcome, Date.now() - started);
  } catch (err) {
    // The database went away mid-job: the lease expires and the job is claimed again later.
    o.logger.warn({ err, job: job.id }, 'twin job interrupted; it runs again once its lease expires');
  } finally {
    clearInterval(renew);
  }
}

/** One claim loop at a time; a wake during a pass schedules another right after it. */
class RefresherLoop implements TwinRefresher {
  private closed = false;
  private active = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private pumping = false;
  private again = false;

  constructor(private readonly o: TwinRefresherOptions) {}

  readonly wake = (): void => {
    if (this.closed) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    let sleep = this.o.pollMs;
    this.fill()
      .then((ms) => { sleep = ms; })
      .catch((err: unknown) => this.o.logger.warn({ err }, 'claiming twin jobs failed; will retry'))
      .finally(() => {
        this.pumping = false;
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
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(this.wake, Math.max(0, Math.min(this.o.pollMs, ms)));
    this.timer.unref();
  }

  /** Claims while there are free workers and due jobs; returns how long to sleep when idle (until the next due job). */
  private async fill(): Promise<number> {
    const o = this.o;
    while (!this.closed && this.active < o.workers) {
      const jobs = await o.store.jobs.claim(TWIN_QUEUE, o.owner, o.leaseMs, o.workers - this.active);
      if (!jobs.length) break;
      for (const job of jobs) this.run(job);
    }
    if (this.active >= o.workers) return o.pollMs;
    const due = await o.store.jobs.nextDue(TWIN_QUEUE);
    return due ? due.getTime() - Date.now() + 5 : o.pollMs;
  }

  private run(job: Job): void {
    this.active++;
    const p = runLeased(this.o, job).finally(() => {
      this.active--;
      this.inFlight.delete(p);
      this.wake();
    });
    this.inFlight.add(p);
  }
}

/** Starts the refresher; it immediately picks up due jobs (also those left by a restart). */
export function startTwinRefresher(o: TwinRefresherOptions): TwinRefresher {
  const loop = new RefresherLoop(o);
  loop.wake();
  return loop;
}
