/**
 * The 'twin' queue of the job runner: rebuilds a patient's twin in ONE transaction that also completes the
 * job (the runner claims under a lease, retries with backoff, fails a job for good after maxAttempts).
 */
import type { Logger } from '../core/logger';
import { systemContext } from '../core/access-context';
import type { Clock } from '../core/clock';
import { startJobRunner } from '../jobs/runner';
import type { JobLease, JobRunner, QueueHandler } from '../jobs/types';
import type { Job, ResourceStore } from '../store/types';
import { type RebuildOptions, rebuildTwin } from './build-twin';
import { TWIN_QUEUE } from './outbox-hook';

export type TwinRefresher = JobRunner;

export type TwinJobOutcome = 'rebuilt' | 'unchanged' | 'retry' | 'failed' | 'lost' | 'error';

export interface TwinQueueOptions {
  store: Pick<ResourceStore, 'transaction'>;
  clock: Clock;
  /** Jobs rebuilt at once in this process. */
  workers: number;
  leaseMs: number;
  /** Longest idle sleep (jobs of other servers, retries that became due). */
  pollMs: number;
  /** Retry delay after the n-th failed attempt: about min(maxBackoffMs, backoffMs · 2^(n-1)), jittered. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Validation and paging of the rebuild. */
  rebuild?: Omit<RebuildOptions, 'now'>;
  /** Called after each job (tests, metrics). */
  onJob?: (job: Job, outcome: TwinJobOutcome, ms: number) => void;
}

async function rebuild(o: TwinQueueOptions, lease: JobLease): Promise<TwinJobOutcome> {
  const patientId = lease.job.payload.patientId;
  if (typeof patientId !== 'string' || patientId === '') {
    await lease.fail('malformed twin job payload: no patientId');
    return 'failed';
  }
  const ctx = systemContext(`twin-job-${lease.job.id}`);
  const result = await o.store.transaction(async (tx) => {
    const r = await rebuildTwin(tx, ctx, patientId, { ...o.rebuild, now: o.clock.now() });
    await lease.complete(tx);
    return r;
  });
  return result.changed ? 'rebuilt' : 'unchanged';
}

export function twinRefreshQueue(o: TwinQueueOptions): QueueHandler {
  return {
    queue: TWIN_QUEUE, workers: o.workers, leaseMs: o.leaseMs, pollMs: o.pollMs, backoff: { baseMs: o.backoffMs, maxMs: o.maxBackoffMs },
    run: (lease) => rebuild(o, lease),
    ...(o.onJob ? { onOutcome: o.onJob } : {}),
  };
}

export interface TwinRefresherOptions extends TwinQueueOptions {
  store: ResourceStore;
  logger: Logger;
  /** Unique per process: the lease owner. */
  owner: string;
}

/** A runner for the twin queue alone (tests, benchmarks); the server runs every queue in one runner (app.ts). */
export function startTwinRefresher(o: TwinRefresherOptions): JobRunner {
  return startJobRunner({ store: o.store, logger: o.logger, clock: o.clock, owner: o.owner }, [twinRefreshQueue(o)]);
}
