/**
 * The 'reindex' queue of the job runner: drains one $reindex job batch by batch (each batch one transaction
 * holding the reindex_job row, so a restart resumes after its cursor and two servers never run one batch),
 * and completes the runner's job once the reindex job is over. Shutdown stops between batches.
 */
import type { Clock } from '../core/clock';
import { startJobRunner } from '../jobs/runner';
import type { Logger } from '../core/logger';
import type { JobLease, JobRunner, QueueHandler } from '../jobs/types';
import { REINDEX_QUEUE, type ReindexJob, type ResourceStore } from '../store/types';

export interface ReindexQueueOptions {
  store: Pick<ResourceStore, 'searchIndex' | 'transaction'>;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** Look for jobs queued by other servers this often (ms). */
  pollMs?: number;
  /** Resources per batch (one transaction). */
  batchSize?: number;
  /** Consecutive failed batches before a reindex job is marked failed. */
  maxAttempts?: number;
  /** Reindex jobs run at once in this process; 0 under ROLE=server, which runs no background work. */
  workers?: number;
  /** Runs before each batch: brings the registry up to date with SearchParameters other servers stored. */
  beforeBatch?: () => Promise<void>;
}

/** A batch that could not run because another transaction holds the job row: the runner retries later. */
class ReindexJobBusy extends Error {}

/** Batches until the job is over or the runner stops; returns the job's outcome. */
async function drain(o: ReindexQueueOptions, lease: JobLease, id: string): Promise<string> {
  const admin = o.store.searchIndex;
  while (!lease.signal.aborted) {
    let job: ReindexJob | null;
    try {
      await o.beforeBatch?.();
      job = await admin.reindexBatch(id, o.batchSize ?? 500);
    } catch (err) {
      await admin.reindexBatchFailed(id, err instanceof Error ? err.message : String(err), o.maxAttempts ?? 5);
      if ((await admin.getReindexJob(id))?.status !== 'failed') throw err;
      job = null;
    }
    if (job?.status === 'running') {
      await new Promise((resolve) => setImmediate(resolve)); // let requests run between batches
      continue;
    }
    // null: over (completed or failed), unknown, or its row is held by a direct caller right now.
    const current = job ?? (await admin.getReindexJob(id));
    if (current && (current.status === 'queued' || current.status === 'running')) throw new ReindexJobBusy(`reindex job ${id} is busy`);
    await o.store.transaction((tx) => lease.complete(tx));
    if (current?.status === 'completed') o.logger.info({ job: id, processed: current.processed }, 'reindex job completed');
    return current?.status ?? 'unknown';
  }
  await lease.release();
  return 'paused';
}

export function reindexQueue(o: ReindexQueueOptions): QueueHandler {
  return {
    queue: REINDEX_QUEUE, workers: o.workers ?? 1, leaseMs: 60_000, pollMs: o.pollMs ?? 5_000, backoff: { baseMs: 1_000, maxMs: 30_000 },
    async run(lease) {
      const id = lease.job.payload.reindexJobId;
      if (typeof id !== 'string') {
        await lease.fail('malformed reindex job payload: no reindexJobId');
        return 'failed';
      }
      return drain(o, lease, id);
    },
    classify: (err) => ({ expected: err instanceof ReindexJobBusy }),
    async giveUp(lease, reason) {
      const id = lease.job.payload.reindexJobId;
      if (typeof id === 'string') await o.store.searchIndex.reindexBatchFailed(id, reason, 1);
      await lease.fail(reason);
    },
  };
}

export interface ReindexRunnerOptions extends ReindexQueueOptions {
  store: ResourceStore;
  logger: Logger;
  clock?: Clock;
  /** Lease owner; default unique per runner. */
  owner?: string;
}

/** A runner for the reindex queue alone (tests); the server runs every queue in one runner (app.ts). */
export function startReindexRunner(o: ReindexRunnerOptions): JobRunner {
  const owner = o.owner ?? `reindex-${process.pid}-${Math.random().toString(36).slice(2)}`;
  return startJobRunner({ store: o.store, logger: o.logger, clock: o.clock ?? { now: () => new Date() }, owner }, [reindexQueue(o)]);
}
