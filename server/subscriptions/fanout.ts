/**
 * The subscription fan-out: one job on the one job runner (queue `subscription-fanout`, one key) reads the
 * outbox in batches, matches each entry against the subscriptions (read fresh per batch), records the events
 * — numbered per subscription, gap-free, in outbox order — queues their rest-hook delivery (batch-delivery.ts)
 * and deletes the rows it read, all in one transaction per batch. A crash before the commit leaves the rows for the next run; after
 * it, they are gone with their events recorded: each row raises its events exactly once.
 *
 * One consumer at a time: every batch takes a transaction-scoped advisory lock before it reads, so two runs
 * (two servers) serialize and the second sees what the first deleted. Rows are consumed by id, so a row whose
 * transaction took its id early but committed late is simply read by a later batch, never skipped.
 *
 * A write that filled the outbox asks for a run after its commit (`request`), due `lingerMs` later; a run that drains the outbox
 * leaves the next one waiting `sweepMs` ahead, which picks up rows whose request was lost with a crash.
 */
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { QueueHandler } from '../jobs/types';
import type { SearchRegistry } from '../search/registry';
import type { DeliveryRoute, JobSpec, ResourceStore, StoreWriter, SubscriptionEventSpec } from '../store/types';
import type { LiveSubscription, SubscriptionCatalogue } from './catalogue';
import { batchJob } from './batch-delivery';
import { deliveryJob } from './event-hook';
import { matchingSubscriptions } from './event-match';

export const FANOUT_QUEUE = 'subscription-fanout';
const FANOUT_LOCK = 'twinfhir:subscription-fanout';
/** How long a request stands for the commits after it (see `ask`). */
const ASKED_VALID_MS = 250;

export interface FanoutSettings {
  /** Fan-out runs in this process (0 or 1; ROLE=server runs none). */
  workers: number;
  /** Outbox rows per batch (one transaction). */
  batchSize: number;
  /** The drained fan-out looks again after this long (rows whose request was lost). */
  sweepMs: number;
  leaseMs: number;
  /** A delivery job queued for new events is due this long after them (events within it share a notification). */
  coalesceMs: number;
  /** A requested run is due this long after the commit that asked (the writes meanwhile share one run). */
  lingerMs: number;
}

export interface FanoutDeps {
  store: ResourceStore;
  catalogue: Pick<SubscriptionCatalogue, 'fresh' | 'loaded'>;
  registry: SearchRegistry;
  logger: Logger;
  clock: Clock;
  /** After a batch committed events for these subscriptions (delivery runner, websocket hub). */
  onEvents(subscriptionIds: string[]): void;
  /** Nudges the local runner's fan-out queue. */
  wake(): void;
}

const fanoutJob = (runAt?: Date): JobSpec => ({ queue: FANOUT_QUEUE, key: 'fanout', payload: {}, maxAttempts: 1_000_000, ...(runAt ? { runAt } : {}) });

/**
 * One batch in `tx`: returns the rows consumed and the subscriptions that got events. Their delivery jobs are
 * due at `deliverAt`; a job already waiting keeps its earlier time, so a window starts with its first event.
 */
export async function fanOutBatch(
  tx: StoreWriter, d: Pick<FanoutDeps, 'registry'>, live: readonly LiveSubscription[], batchSize: number, deliverAt?: Date,
): Promise<{ consumed: number; touched: string[]; completed: boolean }> {
  await tx.lock(FANOUT_LOCK);
  return fanOutLocked(tx, d, live, batchSize, deliverAt);
}

/** fanOutBatch once the fan-out lock is held. */
async function fanOutLocked(
  tx: StoreWriter, d: Pick<FanoutDeps, 'registry'>, live: readonly LiveSubscription[], batchSize: number, deliverAt?: Date,
  lastBatch?: DeliveryRoute['complete'],
): Promise<{ consumed: number; touched: string[]; completed: boolean }> {
  const entries = await tx.subscriptionLog.takeOutbox(batchSize);
  if (entries.length === 0) return { consumed: 0, touched: [], completed: false };
  // The outbox is drained by this batch: the run's job is completed by the statement that records it.
  const complete = entries.length < batchSize ? lastBatch : undefined;
  const events: (SubscriptionEventSpec & { subscriptionId: string })[] = [];
  const restHook = new Set<string>();
  const touched = new Set<string>();
  for (const entry of entries) {
    const event = { focusType: entry.focusType, focusId: entry.focusId, focusVersion: entry.focusVersion, action: entry.action, occurredAt: entry.occurredAt };
    for (const s of await matchingSubscriptions(tx, d.registry, entry, live)) {
      events.push({ ...event, subscriptionId: s.spec.id, topic: s.spec.topic.url });
      touched.add(s.spec.id);
      if (s.spec.channel === 'rest-hook') restHook.add(s.spec.id);
    }
  }
  // One statement: the events, their delivery (the batched pass's one job, or the subscription's own while its
  // handshake is owed or it fails), the outbox rows consumed and, after the last batch, the run's completion.
  await tx.subscriptionLog.recordEvents(events, [], {
    perSubscription: [...restHook].map((id) => ({ subscriptionId: id, job: deliveryJob(id, false, deliverAt) })),
    batch: batchJob(deliverAt),
    consume: entries.map((e) => e.id),
    ...(complete ? { complete } : {}),
  });
  return { consumed: entries.length, touched: [...touched], completed: complete !== undefined };
}

/**
 * Wakes the local runner when a requested run is due (`lingerMs` after the request), not at once: a claim now
 * could only learn that time. A run started since the latest request served it, and drops the wake.
 */
export function wakeWhenDue(lingerMs: number, wake: () => void): { requested(): void; ran(): void } {
  let runs = 0;
  let runsAtRequest = 0;
  let timer: NodeJS.Timeout | undefined;
  return {
    requested() {
      runsAtRequest = runs;
      if (lingerMs <= 0) { wake(); return; }
      if (timer) return;
      timer = setTimeout(() => { timer = undefined; if (runs === runsAtRequest) wake(); }, lingerMs + 1);
      timer.unref();
    },
    ran() { runs++; },
  };
}

export interface Fanout {
  /** Asks for a fan-out run soon (after a commit that filled the outbox); cheap when one is already asked for. */
  request(): void;
  /** The queue handler for the job runner. */
  queue(): QueueHandler;
  /** Makes sure a fan-out runs now (at start: rows left by a stop or crash). */
  start(): Promise<void>;
}

export function createFanout(d: FanoutDeps, s: FanoutSettings): Fanout {
  // This process runs the fan-out: a request made since the last local run started is enough (the run reads
  // after it clears the flag), for a short while — another server may have taken the job, and its run may have
  // read the outbox before this commit. Otherwise (ROLE=server) requests are only coalesced while one is in flight.
  let askedAt: number | undefined;
  let inFlight = false;
  let again = false;
  const later = wakeWhenDue(s.lingerMs, () => d.wake());
  const ask = (): void => {
    if (inFlight) { again = true; return; }
    if (s.workers > 0 && askedAt !== undefined && Date.now() - askedAt < ASKED_VALID_MS) return;
    askedAt = Date.now();
    inFlight = true;
    // A run costs a dozen statements whatever it finds: lingering lets the writes of a busy moment share one.
    // The local runner is woken when the run is due, not now: a claim now could only learn when that is.
    d.store.subscriptionLog.requestFanout(fanoutJob(s.lingerMs > 0 ? new Date(d.clock.now().getTime() + s.lingerMs) : undefined))
      .then(() => later.requested())
      .catch((err: unknown) => { askedAt = undefined; d.logger.warn({ err }, 'asking for a subscription fan-out failed; the sweep will pick the rows up'); })
      .finally(() => {
        inFlight = false;
        if (again) { again = false; ask(); }
      });
  };
  const handler: QueueHandler = {
    queue: FANOUT_QUEUE, workers: s.workers, leaseMs: s.leaseMs, pollMs: Math.min(1_000, s.sweepMs), backoff: { baseMs: 100, maxMs: 5_000 },
    async run(lease) {
      askedAt = undefined;
      later.ran();
      let consumed = 0;
      let stale = false;
      for (;;) {
        if (lease.signal.aborted) { await lease.release(); return 'released'; }
        // After a stale batch: reloaded now (fresh), used without a second comparison, as fresh's answer always was.
        const { list: live, version } = stale ? { list: await d.catalogue.fresh(d.store), version: undefined } : d.catalogue.loaded();
        const batch = await d.store.transaction(async (tx) => {
          // The catalogue version comes with the lock: when it moved since the list was loaded, nothing is read
          // under a stale list; the list is reloaded outside the transaction and the batch taken again.
          const stored = await tx.subscriptionLog.lockWithCatalogueVersion(FANOUT_LOCK);
          if (version !== undefined && stored !== version) return undefined;
          const deliverAt = s.coalesceMs > 0 ? new Date(d.clock.now().getTime() + s.coalesceMs) : undefined;
          const sweep = fanoutJob(new Date(d.clock.now().getTime() + s.sweepMs));
          const out = await fanOutLocked(tx, d, live, s.batchSize, deliverAt, { jobId: lease.job.id, owner: lease.owner, then: sweep, read: lease.completedBy() });
          if (out.consumed < s.batchSize && !out.completed) await lease.complete(tx, sweep);
          return out;
        });
        stale = !batch;
        if (!batch) continue;
        consumed += batch.consumed;
        if (batch.touched.length) d.onEvents(batch.touched);
        if (batch.consumed < s.batchSize) return consumed ? 'fanned-out' : 'idle';
      }
    },
  };
  return {
    request: ask,
    queue: () => handler,
    start: () => d.store.subscriptionLog.requestFanout(fanoutJob()).then(() => d.wake()),
  };
}
