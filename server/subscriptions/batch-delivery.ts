/**
 * Batched rest-hook delivery on the one job runner (queue `subscription-batch`, one job key, one worker per
 * process). Many subscriptions each hit now and then cost a job, a claim and a finish apiece when delivered
 * one by one; a pass claims every due subscription's lease and events in one statement, POSTs their
 * notifications in parallel (at most CONCURRENCY at once, each bounded by its timeout) and records the
 * outcomes of those that answered in one statement, then claims again — a slow endpoint keeps only its own
 * subscription waiting. The pass ends when nothing is due and nothing is in flight.
 *
 * Per subscription nothing changes: one lease holder at a time keeps event-number order; an acknowledgement
 * moves delivered-up-to; a pass that dies leaves its leases to expire (the events go again, whole); an outcome
 * from a pass that lost a lease changes nothing. Passes take only subscriptions whose handshake is done and
 * that are not failing: a failure hands the subscription to its own job (delivery-queue.ts: backoff, status
 * error, recovery), and the fan-out queues that job instead of this one while it fails.
 */
import type { JobLease, QueueHandler } from '../jobs/types';
import { retryDelayMs } from '../jobs/backoff';
import type { ClaimedDelivery, DeliveryOutcome, JobSpec, PassCompletion } from '../store/types';
import { type DeliveryDeps, type DeliverySettings, load, postEvents, setStatus } from './delivery-queue';
import { DELIVERY_ATTEMPTS, deliveryJob } from './event-hook';
import { DeliveryError } from './rest-hook';

export const BATCH_QUEUE = 'subscription-batch';
/** Notifications in flight at once in one pass. */
const CONCURRENCY = 32;
/** Events claimed per subscription (its max-count may cut the notification shorter). */
const PER_SUBSCRIPTION = 100;
/** While POSTs are in flight, the pass records those that answered and claims again at least this often. */
const TICK_MS = 100;

export const batchJob = (runAt?: Date): JobSpec => ({ queue: BATCH_QUEUE, key: 'batch', payload: {}, maxAttempts: DELIVERY_ATTEMPTS, ...(runAt ? { runAt } : {}) });

const later = (d: DeliveryDeps, ms: number): Date => new Date(d.clock.now().getTime() + ms);

/** One claimed subscription's notification; never throws (a failure is an outcome). */
async function deliverOne(d: DeliveryDeps, s: DeliverySettings, c: ClaimedDelivery): Promise<DeliveryOutcome> {
  const id = c.state.subscriptionId;
  try {
    const spec = await load(d, id);
    // Off, deleted, invalid or not rest-hook (any more): passes stop taking it until it is written again.
    if (!spec || spec.channel !== 'rest-hook' || !spec.endpoint) return { subscriptionId: id, park: true };
    const events = c.events.slice(0, spec.maxCount);
    // None visible yet (a fan-out committed while the claim waited for its rows): the next claim reads them.
    if (events.length === 0) return { subscriptionId: id, upTo: c.state.deliveredUpTo };
    await postEvents(d, s, spec, 'event-notification', c.state, events);
    const hb = spec.heartbeatSec ? deliveryJob(id, true, later(d, spec.heartbeatSec * 1000)) : undefined;
    return { subscriptionId: id, upTo: events[events.length - 1].eventNumber, ...(hb ? { after: hb } : {}) };
  } catch (err) {
    if (!(err instanceof DeliveryError)) d.logger.warn({ err, subscription: id }, 'batched delivery failed; the subscription retries on its own job');
    const retryAfterMs = err instanceof DeliveryError ? err.retryAfterMs : undefined;
    return {
      subscriptionId: id, error: err instanceof Error ? err.message : String(err),
      after: deliveryJob(id, false, later(d, retryDelayMs(1, s.backoff, retryAfterMs))),
    };
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function runPass(d: DeliveryDeps, s: DeliverySettings, lease: JobLease): Promise<string> {
  const log = d.store.subscriptionLog;
  // Unique per attempt: a pass re-run after its process died must not pass for the dead one.
  const owner = `batch:${lease.owner}:${lease.job.id}:${lease.job.attempts}`;
  // A subscription's lease outlives its longest POST, so a live pass never loses one mid-notification.
  const leaseMs = s.leaseMs + s.timeoutMs;
  const flying = new Map<string, Promise<void>>();
  const settled: DeliveryOutcome[] = [];
  let sent = 0;
  let heldUntil: Date | undefined;
  // The last claim took all it could (its limit): others may be due still.
  let full = true;
  try {
    for (;;) {
      // With nothing in flight, a claim that took less than its limit left nothing due behind it: events recorded
      // since then came with a waiting pass job (the fan-out queues one with them), so the pass ends here instead
      // of claiming once more for nothing. While POSTs are in flight, it claims on (a slow endpoint waits alone).
      if (!lease.signal.aborted && flying.size < CONCURRENCY && (full || flying.size > 0)) {
        // Not those in flight nor those answered but not yet recorded: their leases are this pass's still.
        const busy = [...flying.keys(), ...settled.map((o) => o.subscriptionId)];
        const limit = CONCURRENCY - flying.size;
        const got = await log.claimDeliveries(owner, leaseMs, limit, PER_SUBSCRIPTION, busy);
        full = got.claimed.length >= limit;
        heldUntil = got.heldUntil;
        for (const c of got.claimed) {
          const id = c.state.subscriptionId;
          flying.set(id, deliverOne(d, s, c).then((o) => { settled.push(o); }).finally(() => flying.delete(id)));
        }
      }
      if (flying.size === 0 && settled.length === 0) break;
      // Those in flight answer together (one finish for all) unless one is slow: then the others go on without it.
      if (flying.size) await Promise.race([Promise.all(flying.values()), sleep(TICK_MS)]);
      if (settled.length) {
        // Nothing in flight and the last claim took less than its limit: this finish is the pass's last, and
        // completes its job too (events left behind get a pass job due at once from the same statement).
        const last = flying.size === 0 && !full && !lease.signal.aborted;
        const done = await finish(d, s, owner, settled.splice(0), last ? {
          jobId: lease.job.id, owner: lease.owner, then: lookAgain(d, heldUntil), thenWanted: heldUntil !== undefined, read: lease.completedBy(),
        } : undefined);
        sent += done.sent;
        if (last) return sent ? 'delivered' : 'idle';
        // Events left behind (max-count, a claim's older snapshot) came with no pass job of their own: claim again.
        if (done.more) full = true;
      }
    }
  } finally {
    await Promise.allSettled([...flying.values()]);
  }
  if (lease.signal.aborted) {
    await lease.release();
    return 'released';
  }
  await lease.completeAlone(heldUntil ? lookAgain(d, heldUntil) : undefined);
  return sent ? 'delivered' : 'idle';
}

/** Subscriptions held by another deliverer with events waiting: look again when its lease ends (it may have died). */
const lookAgain = (d: DeliveryDeps, heldUntil: Date | undefined): JobSpec =>
  batchJob(new Date(Math.max(heldUntil?.getTime() ?? 0, d.clock.now().getTime()) + 50));

/**
 * Records outcomes (one statement); subscriptions failing too long become status error. Returns how many were
 * acknowledged, and whether one of those recorded has events waiting still.
 */
async function finish(d: DeliveryDeps, s: DeliverySettings, owner: string, outcomes: DeliveryOutcome[], complete?: PassCompletion): Promise<{ sent: number; more: boolean }> {
  const done = await d.store.subscriptionLog.finishDeliveries(owner, outcomes, complete);
  const failing = done.filter((r) => r.failures >= s.errorAfter).map((r) => r.subscriptionId);
  await Promise.all(failing.map((id) => setStatus(d.store, id, ['active', 'requested'], 'error')));
  const mine = new Set(done.map((r) => r.subscriptionId));
  return { sent: outcomes.filter((o) => mine.has(o.subscriptionId) && o.upTo !== undefined).length, more: done.some((r) => r.more) };
}

export function batchDeliveryQueue(d: DeliveryDeps, s: DeliverySettings): QueueHandler {
  return {
    queue: BATCH_QUEUE, workers: s.workers > 0 ? 1 : 0, leaseMs: s.leaseMs, pollMs: s.pollMs, backoff: s.backoff,
    run: (lease) => runPass(d, s, lease),
  };
}
