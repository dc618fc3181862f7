/**
 * rest-hook delivery on the one job runner (queue `subscription`, one job key per subscription) for a
 * subscription that owes its handshake, is failing (backoff, status error) or is due a heartbeat; the others are
 * delivered by the shared passes of batch-delivery.ts, under the same per-subscription lease. A job
 * takes the subscription's delivery lease (one deliverer per subscription: event-number order), sends the
 * handshake if due, then batches of up to max-count events in order, and records each acknowledged batch
 * (delivered-up-to) in a transaction that also completes the job after the last one. It lets go of the lease
 * only when nothing newer is waiting, atomically with the event counter, so no committed event is stranded.
 *
 * Guarantee: every event is POSTed until the endpoint acknowledges it, in event-number order. A crash or
 * lost lease between an acknowledged POST and its commit re-sends that batch: receivers dedupe by
 * event-number (at-least-once delivery, exactly-once per event number for a deduping receiver).
 */
import type { Subscription } from 'fhir/r4';
import { asOrigin, systemContext } from '../core/access-context';
import type { Clock, IdGenerator } from '../core/clock';
import type { Logger } from '../core/logger';
import type { FailureKind, JobLease, QueueHandler } from '../jobs/types';
import type { SearchRegistry } from '../search/registry';
import type { ResourceStore, SubscriptionEvent, SubscriptionState } from '../store/types';
import type { NotificationType } from './backport';
import type { SubscriptionCatalogue } from './catalogue';
import type { EndpointPolicy } from './endpoint-policy';
import { deliveryJob, SUBSCRIPTION_QUEUE } from './event-hook';
import { authorReadContext, focusResources, notificationBundle } from './notification';
import { DeliveryError, postNotification } from './rest-hook';
import { type ParsedSubscription, parseSubscription } from './subscription-spec';

export interface DeliverySettings {
  workers: number;
  leaseMs: number;
  pollMs: number;
  backoff: { baseMs: number; maxMs: number };
  /** Consecutive failed attempts after which the subscription's status becomes error. */
  errorAfter: number;
  /** Longest time one POST may take (a subscription's backport-timeout may ask for less). */
  timeoutMs: number;
}

export interface DeliveryDeps {
  store: ResourceStore;
  /** The live subscriptions already parsed (a job for one this server has not seen yet reads the store). */
  catalogue: Pick<SubscriptionCatalogue, 'live'>;
  registry: SearchRegistry;
  policy: EndpointPolicy;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  baseUrl: string;
}

const ctx = asOrigin(systemContext('subscription-delivery'), 'subscription-delivery');

/** Moves the stored Subscription's status (requested → active → error → active); a concurrent client write wins. */
export async function setStatus(store: ResourceStore, id: string, from: readonly string[], to: Subscription['status']): Promise<void> {
  await store.transaction(async (tx) => {
    const cur = await tx.read(ctx, 'Subscription', id);
    const sub = cur?.resource as (Subscription & { id: string }) | undefined;
    if (!cur || cur.deleted || !sub || !from.includes(sub.status)) return;
    const next: Subscription & { id: string } = { ...sub, status: to };
    await tx.update(ctx, next, { expectedVersion: cur.versionId });
  }).catch(() => undefined);
}

interface Run { d: DeliveryDeps; s: DeliverySettings; lease: JobLease; spec: ParsedSubscription; owner: string }

/** Builds and POSTs one notification of `spec` (throws DeliveryError when it is not acknowledged). */
export async function postEvents(
  d: DeliveryDeps, s: Pick<DeliverySettings, 'timeoutMs'>, spec: ParsedSubscription, type: NotificationType, state: SubscriptionState, events: SubscriptionEvent[],
): Promise<void> {
  const resources = await focusResources(d.store, authorReadContext(ctx, state.access), spec.content, events);
  const status = type === 'handshake' || spec.status === 'requested' ? 'requested' : 'active';
  const bundle = notificationBundle({
    baseUrl: d.baseUrl, subscriptionId: spec.id, topic: spec.topic.url, status, type,
    eventsSinceStart: Math.max(state.lastEvent, ...events.map((e) => e.eventNumber)), events, content: spec.content,
  }, d.ids.newId(), d.clock.now(), resources);
  const timeoutMs = Math.min(s.timeoutMs, (spec.timeoutSec ?? Infinity) * 1000);
  await postNotification(spec.endpoint as string, spec.headers, bundle, { timeoutMs, policy: d.policy });
}

async function send(r: Run, type: NotificationType, state: SubscriptionState, events: SubscriptionEvent[]): Promise<void> {
  try {
    await postEvents(r.d, r.s, r.spec, type, state, events);
  } catch (err) {
    const failures = await r.d.store.subscriptionLog.deliveryFailed(r.spec.id, r.owner, err instanceof Error ? err.message : String(err));
    // Let go of the subscription while this job waits for its retry: the runner may drop this job for a newer
    // one of the same subscription, which must be able to take over at once.
    await r.d.store.transaction((tx) => tx.subscriptionLog.release(r.spec.id, r.owner, true));
    if (failures >= r.s.errorAfter) await setStatus(r.d.store, r.spec.id, ['active', 'requested'], 'error');
    throw err;
  }
}

const heartbeatJob = (r: Run): ReturnType<typeof deliveryJob> | undefined =>
  (r.spec.heartbeatSec ? deliveryJob(r.spec.id, true, new Date(r.d.clock.now().getTime() + r.spec.heartbeatSec * 1000)) : undefined);

/** Handshake (when due) and every waiting event, in order; returns when the lease was let go (job completed) or was not to be had. */
async function deliverAll(r: Run, heartbeat: boolean): Promise<{ sent: number; completed: boolean }> {
  const log = r.d.store.subscriptionLog;
  for (;;) {
    // The lease and the waiting events in one statement: a round trip per delivery is what subscriptions cost.
    const claimed = await log.claimDeliveryBatch(r.spec.id, r.owner, r.s.leaseMs, r.spec.maxCount);
    if (!claimed) return { sent: 0, completed: false };
    const { state, events } = claimed;
    if (!state.handshakeDone) {
      await send(r, 'handshake', state, []);
      await r.d.store.transaction((tx) => tx.subscriptionLog.delivered(r.spec.id, r.owner, state.deliveredUpTo, true));
      await setStatus(r.d.store, r.spec.id, ['requested', 'error'], 'active');
      continue;
    }
    const beat = events.length === 0 && heartbeat && heartbeatDue(r, state);
    if (events.length === 0 && !beat) {
      const done = await r.d.store.transaction(async (tx) => {
        if (!(await tx.subscriptionLog.release(r.spec.id, r.owner))) return false; // events committed since they were read: go on
        await r.lease.complete(tx);
        const hb = heartbeatJob(r);
        if (hb) await tx.enqueueJob(hb);
        return true;
      });
      if (done) return { sent: 0, completed: true };
      continue;
    }
    await send(r, beat ? 'heartbeat' : 'event-notification', state, events);
    // Let go after every batch (recorded, job completed, heartbeat queued, in one statement); when more events are
    // waiting, a job queued behind the other subscriptions' continues (fairness with few workers and many busy
    // subscriptions). The job is completed here rather than through lease.complete: same row, same condition.
    const hb = heartbeatJob(r);
    await log.finishDelivery({
      subscriptionId: r.spec.id, owner: r.owner, upTo: events.at(-1)?.eventNumber ?? state.deliveredUpTo,
      job: { id: r.lease.job.id, owner: r.lease.owner }, continuation: deliveryJob(r.spec.id), ...(hb ? { after: hb } : {}),
    });
    if (state.failures > 0) await setStatus(r.d.store, r.spec.id, ['error'], 'active');
    return { sent: events.length, completed: true };
  }
}

function heartbeatDue(r: Run, state: SubscriptionState): boolean {
  const period = (r.spec.heartbeatSec ?? 0) * 1000;
  return period > 0 && (!state.lastSent || r.d.clock.now().getTime() - state.lastSent.getTime() >= period * 0.9);
}

export async function load(d: DeliveryDeps, id: string): Promise<ParsedSubscription | undefined> {
  const known = d.catalogue.live().find((s) => s.spec.id === id);
  if (known) return known.spec;
  const stored = await d.store.read(ctx, 'Subscription', id);
  const sub = stored?.resource as (Subscription & { id: string }) | undefined;
  if (!sub || stored?.deleted || sub.status === 'off') return undefined;
  try {
    return parseSubscription(d.registry, d.policy, sub);
  } catch (err) {
    d.logger.warn({ subscription: id, reason: err instanceof Error ? err.message : String(err) }, 'subscription not delivered: no longer valid');
    return undefined;
  }
}

export function subscriptionDeliveryQueue(d: DeliveryDeps, s: DeliverySettings): QueueHandler {
  return {
    queue: SUBSCRIPTION_QUEUE, workers: s.workers, leaseMs: s.leaseMs, pollMs: s.pollMs, backoff: s.backoff,
    async run(lease) {
      const id = typeof lease.job.payload.subscriptionId === 'string' ? lease.job.payload.subscriptionId : '';
      const spec = await load(d, id);
      if (!spec || spec.channel === 'websocket') {
        // websocket: events go to bound sockets (ws-hub); the subscription is usable at once.
        if (spec) await setStatus(d.store, id, ['requested', 'error'], 'active');
        await lease.completeAlone();
        return spec ? 'websocket' : 'gone';
      }
      const { sent, completed } = await deliverAll({ d, s, lease, spec, owner: `job:${lease.job.id}` }, lease.job.payload.heartbeat === true);
      // Another job holds the lease: it delivers everything committed before it lets go.
      if (!completed) await lease.completeAlone();
      return sent ? 'delivered' : 'idle';
    },
    classify(err): FailureKind {
      return err instanceof DeliveryError ? { expected: true, ...(err.retryAfterMs ? { retryAfterMs: err.retryAfterMs } : {}) } : {};
    },
  };
}
