/**
 * The subscription event pruning job: a system job on the one job runner (it runs as the server, reads no
 * resource through the REST layer and deletes only subscription_event rows; its declaration is in
 * rest/access-requirements.ts). Each run deletes the events no longer owed and older than the retention
 * (store/subscription-retention.ts) in small batches, each its own short statement, yielding between them,
 * then schedules the next run. One waiting run exists at a time (job key), however many servers start it.
 */
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { QueueHandler } from '../jobs/types';
import type { ResourceStore, StoreWriter } from '../store/types';

export const PRUNE_QUEUE = 'subscription-prune';

export interface PruneSettings {
  /** Events are kept at least this long (SUBSCRIPTION_EVENT_RETENTION_MS). */
  retentionMs: number;
  /** Pause between runs (SUBSCRIPTION_PRUNE_INTERVAL_MS). */
  intervalMs: number;
  /** Rows per delete statement: small, so no statement holds many row locks for long. */
  batch: number;
  /** Most batches per run; the rest waits for the next run (a run never monopolises a worker). */
  maxBatches: number;
  /** 0 on ROLE=server (enqueues, runs nothing). */
  workers: number;
}

export const pruneJob = (runAt?: Date): Parameters<StoreWriter['enqueueJob']>[0] => ({
  queue: PRUNE_QUEUE, key: 'prune', payload: {}, maxAttempts: 10, ...(runAt ? { runAt } : {}),
});

/** Makes sure a run is scheduled (at start: coalesces into the one already waiting, if any). */
export async function schedulePruning(store: ResourceStore): Promise<void> {
  await store.transaction((tx) => tx.enqueueJob(pruneJob()));
}

export function eventPruningQueue(d: { store: ResourceStore; clock: Clock; logger: Logger }, s: PruneSettings): QueueHandler {
  return {
    queue: PRUNE_QUEUE, workers: s.workers, leaseMs: 60_000, pollMs: Math.min(s.intervalMs, 60_000), backoff: { baseMs: 1_000, maxMs: s.intervalMs },
    async run(lease) {
      const olderThan = new Date(d.clock.now().getTime() - s.retentionMs);
      let pruned = 0;
      let more = false;
      for (let i = 0; i < s.maxBatches && !lease.signal.aborted; i++) {
        const n = await d.store.subscriptionLog.pruneEvents(olderThan, s.batch);
        pruned += n;
        more = n === s.batch;
        if (!more) break;
        await new Promise((r) => setImmediate(r)); // let other work in between batches
      }
      if (lease.signal.aborted) {
        await lease.release();
        return 'stopped';
      }
      await d.store.transaction(async (tx) => {
        await lease.complete(tx);
        // A backlog (the last batch was full) continues at once, behind whatever else is queued.
        await tx.enqueueJob(pruneJob(more ? undefined : new Date(d.clock.now().getTime() + s.intervalMs)));
      });
      if (pruned) d.logger.info({ pruned, olderThan: olderThan.toISOString() }, 'subscription events pruned');
      return pruned ? 'pruned' : 'idle';
    },
  };
}
