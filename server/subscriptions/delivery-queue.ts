/**
 * rest-hook delivery on the one job runner (queue `subscription`, one job key per subscription). A job
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
const NO_END = Number.MAX_SAFE_INTEGER;

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

async function send(r: Run, type: NotificationType, state: SubscriptionState, events: SubscriptionEvent[]): Promise<void> {
  const resources = await focusResources(r.d.store, authorReadContext(ctx, state.access), r.spec.content, events);
  const status = type === 'handshake' || r.spec.status === 'requested' ? 'requested' : 'active';
  const bundle = notificationBundle({
    baseUrl: r.d.baseUrl, subscriptionId: r.spec.id, topic: r.spec.topic.url, status, type,
    eventsSinceStart: Math.max(state.lastEvent, ...events.map((e) => e.eventNumber)), events, content: r.spec.content,
  }, r.d.ids.newId(), r.d.clock.now(), resources);
  const timeoutMs = Math.min(r.s.timeoutMs, (r.spec.timeoutSec ?? Infinity) * 1000);
  try {
    await postNotification(r.spec.endpoint as string, r.spec.headers, bundle, { timeoutMs, policy: r.d.policy });
  } catch (err) {
    const failures = await r.d.store.subscriptionLog.deliveryFailed(r.spec.id, r.owner, err instanceof Error ? err.message : String(err));
    // Let go of the subscription while this job waits for its retry: the runner may drop this job for a newer
    // one of the same subscription, which must be able to take over at once.
    await r.d.store.transaction((tx) => tx.subscriptionLog.release(r.spec.id, r.owner, true));
    if (failures >= r.s.errorAfter) await setStatus(r.d.store, r.spec.id, ['active', 'requested'], 'error');
    throw err;
  }
}

/** Handshake (when due) and every waiting event, in order; returns when the lease was let go (job completed) or was not to be had. */
async function deliverAll(r: Run, heartbeat: boolean): Promise<{ sent: number; completed: boolean }> {
  const log = r.d.store.subscriptionLog;
  let sent = 0;
  for (;;) {
    const state = await log.claimDelivery(r.spec.id, r.owner, r.s.leaseMs);
    if (!state) return { sent, completed: false };
    if (!state.handshakeDone) {
      await send(r, 'handshake', state, []);
      await r.d.store.transaction((tx) => tx.subscriptionLog.delivered(r.spec.id, r.owner, state.deliveredUpTo, true));
      await setStatus(r.d.store, r.spec.id, ['requested', 'error'], 'active');
      continue;
    }
    const events = await log.events(r.spec.id, state.deliveredUpTo, NO_END, r.spec.maxCount);
    const beat = events.length === 0 && heartbeat && heartbeatDue(r, state);
    const sending = events.length > 0 || beat;
    if (sending) await send(r, beat ? 'heartbeat' : 'event-notification', state, events);
    sent += events.length;
    const done = await r.d.store.transaction(async (tx) => {
      if (sending) {
        // Let go after every batch; when more events are waiting, a job queued behind the other subscriptions'
        // continues (fairness with few workers and many busy subscriptions).
        const { more } = await tx.subscriptionLog.delivered(r.spec.id, r.owner, events.at(-1)?.eventNumber ?? state.deliveredUpTo, false, true);
        if (more) await tx.enqueueJob(deliveryJob(r.spec.id));
      } else if (!(await tx.subscriptionLog.release(r.spec.id, r.owner))) {
        return false; // events committed since they were read: go on
      }
      await r.lease.complete(tx);
      if (r.spec.heartbeatSec) await tx.enqueueJob(deliveryJob(r.spec.id, true, new Date(r.d.clock.now().getTime() + r.spec.heartbeatSec * 1000)));
      return true;
    });
    if (state.failures > 0 && sending) await setStatus(r.d.store, r.spec.id, ['error'], 'active');
    if (done) return { sent, completed: true };
  }
}

function heartbeatDue(r: Run, state: SubscriptionState): boolean {
  const period = (r.spec.heartbeatSec ?? 0) * 1000;
  return period > 0 && (!state.lastSent || r.d.clock.now().getTime() - state.lastSent.getTime() >= period * 0.9);
}

async function load(d: DeliveryDeps, id: string): Promise<ParsedSubscription | undefined> {
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
        await d.store.transaction((tx) => lease.complete(tx));
        return spec ? 'websocket' : 'gone';
      }
      const { sent, completed } = await deliverAll({ d, s, lease, spec, owner: `job:${lease.job.id}` }, lease.job.payload.heartbeat === true);
      // Another job holds the lease: it delivers everything committed before it lets go.
      if (!completed) await d.store.transaction((tx) => lease.complete(tx));
      return sent ? 'delivered' : 'idle';
    },
    classify(err): FailureKind {
      return err instanceof DeliveryError ? { expected: true, ...(err.retryAfterMs ? { retryAfterMs: err.retryAfterMs } : {}) } : {};
    },
  };
}
