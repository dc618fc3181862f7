/**
 * The subscription write hook (run by the store inside every write's transaction, like the twin outbox):
 * a Subscription write is checked and registered; any other write is matched against the live
 * subscriptions, and each match gets its next gap-free event number in this same transaction, plus a
 * delivery job. Nothing is recorded for a write that rolls back; nothing is lost for one that commits.
 */
import type { Resource, Subscription } from 'fhir/r4';
import type { AccessContext } from '../core/access-context';
import type { SearchRegistry } from '../search/registry';
import type { ResourceChange, StoreWriter, SubscriptionAccess, WriteHook } from '../store/types';
import type { LiveSubscription, SubscriptionCatalogue } from './catalogue';
import { WriteMatcher } from './event-filter';
import type { EndpointPolicy } from './endpoint-policy';
import { parseSubscription } from './subscription-spec';
import { triggerFires, triggersFor } from './topic-criteria';
import { FhirError } from '../core/fhir-error';

export const SUBSCRIPTION_QUEUE = 'subscription';
/** Delivery keeps trying a failing endpoint (status error) until the client turns the subscription off. */
export const DELIVERY_ATTEMPTS = 1_000_000;

/** Types that never raise events: subscriptions themselves (their status moves with delivery) and the audit trail. */
const SILENT = new Set(['Subscription', 'AuditEvent']);

export interface SubscriptionHookOptions {
  registry: SearchRegistry;
  policy: EndpointPolicy;
  catalogue: SubscriptionCatalogue;
  /** After the commit of a transaction that recorded events or changed a subscription. */
  onCommitted(subscriptionIds: string[]): void;
}

const accessOf = (ctx: AccessContext): SubscriptionAccess => ({
  clientId: ctx.clientId, scopes: [...ctx.scopes], authDisabled: ctx.authDisabled,
  ...(ctx.subject ? { subject: ctx.subject } : {}), ...(ctx.patient ? { patient: ctx.patient } : {}),
});

export const deliveryJob = (id: string, heartbeat = false, runAt?: Date): Parameters<StoreWriter['enqueueJob']>[0] => ({
  queue: SUBSCRIPTION_QUEUE, key: `${heartbeat ? 'hb' : 'ev'}:${id}`, payload: { subscriptionId: id, ...(heartbeat ? { heartbeat: true } : {}) },
  maxAttempts: DELIVERY_ATTEMPTS, ...(runAt ? { runAt } : {}),
});

async function subscriptionWritten(o: SubscriptionHookOptions, tx: StoreWriter, ctx: AccessContext, change: ResourceChange, touched: Set<string>): Promise<void> {
  const sub = change.stored.resource as (Subscription & { id: string }) | undefined;
  const byDelivery = ctx.origin === 'subscription-delivery';
  const spec = sub ? parseSubscription(o.registry, o.policy, sub) : undefined;
  if (spec && !byDelivery && spec.status === 'error') throw new FhirError(422, 'business-rule', 'Only the server sets a Subscription to error; use requested, active or off', ['Subscription.status']);
  const access = spec && !byDelivery ? accessOf(ctx) : undefined;
  if (spec) await tx.subscriptionLog.register(change.id, access, !byDelivery && spec.status === 'requested');
  await tx.subscriptionLog.bumpCatalogue();
  if (spec && !byDelivery && spec.status !== 'off') await tx.enqueueJob(deliveryJob(change.id));
  touched.add(change.id);
  tx.onCommit(() => o.catalogue.apply(change.id, spec, access));
}

async function matching(o: SubscriptionHookOptions, tx: StoreWriter, change: ResourceChange, live: readonly LiveSubscription[]): Promise<LiveSubscription[]> {
  const current = change.stored.resource as (Resource & { id: string }) | undefined;
  if (!current || change.kind === 'delete') return [];
  let previous: Promise<Resource | undefined> | undefined;
  const previousVersion = (): Promise<Resource | undefined> => (previous ??= change.kind === 'update' && change.stored.versionId > 1
    ? tx.vread({ clientId: 'system', scopes: ['system/*.*'], authDisabled: true, requestId: 'subscription-match' }, change.resourceType, change.id, change.stored.versionId - 1).then((s) => s?.resource)
    : Promise.resolve(undefined));
  const matcher = new WriteMatcher(tx, o.registry, current);
  const now = change.stored.lastUpdated;
  const out: LiveSubscription[] = [];
  for (const s of live) {
    if (s.spec.end && s.spec.end < now) continue;
    const triggers = triggersFor(s.spec.topic, change.resourceType);
    if (triggers.length === 0) continue;
    const needsPrevious = triggers.some((t) => t.previous);
    const prev = needsPrevious ? await previousVersion() : undefined;
    if (!triggers.some((t) => triggerFires(o.registry, t, change.kind, current, prev))) continue;
    if (!(await matcher.passesFilters(s.spec.filters))) continue;
    if (!(await matcher.mayRead(s.access))) continue;
    out.push(s);
  }
  return out;
}

export function subscriptionHook(o: SubscriptionHookOptions): WriteHook {
  // Subscriptions touched per transaction: one nudge after commit, one delivery job per subscription.
  const touchedBy = new WeakMap<StoreWriter, Set<string>>();
  const touched = (tx: StoreWriter): Set<string> => {
    let set = touchedBy.get(tx);
    if (!set) {
      const s = new Set<string>();
      touchedBy.set(tx, (set = s));
      tx.onCommit(() => o.onCommitted([...s]));
    }
    return set;
  };
  return async (tx, ctx, change) => {
    if (change.resourceType === 'Subscription') return subscriptionWritten(o, tx, ctx, change, touched(tx));
    if (SILENT.has(change.resourceType)) return;
    const live = o.catalogue.live();
    if (live.length === 0) return;
    const hits = await matching(o, tx, change, live);
    if (hits.length === 0) return;
    const set = touched(tx);
    // One delivery job per rest-hook subscription and transaction (a waiting one absorbs it).
    const wake = hits.filter((s) => s.spec.channel === 'rest-hook' && !set.has(s.spec.id)).map((s) => deliveryJob(s.spec.id));
    await tx.subscriptionLog.record(hits.map((s) => ({ subscriptionId: s.spec.id, topic: s.spec.topic.url })), {
      focusType: change.resourceType, focusId: change.id, focusVersion: change.stored.versionId, action: change.kind, occurredAt: change.stored.lastUpdated,
    }, wake);
    for (const s of hits) set.add(s.spec.id);
  };
}
