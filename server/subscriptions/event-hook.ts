/**
 * The subscription write hook (run by the store inside every write's transaction, like the twin outbox):
 * a Subscription write is checked and registered; any other write of a type some live topic covers puts
 * one row in the subscription outbox in this same transaction — nothing else, whatever the number of
 * subscriptions. The fan-out job (fanout.ts) matches it, numbers and records the events and queues their
 * delivery. Nothing is recorded for a write that rolls back; nothing is lost for one that commits.
 */
import type { Subscription } from 'fhir/r4';
import type { AccessContext } from '../core/access-context';
import type { SearchRegistry } from '../search/registry';
import type { ResourceChange, StoreWriter, SubscriptionAccess, WriteHook } from '../store/types';
import type { SubscriptionCatalogue } from './catalogue';
import type { EndpointPolicy } from './endpoint-policy';
import { parseSubscription } from './subscription-spec';
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
  /** After the commit of a transaction that changed subscriptions. */
  onCommitted(subscriptionIds: string[]): void;
  /** After the commit of a transaction that put rows in the outbox (asks for a fan-out). */
  onOutboxFilled(): void;
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
  if (spec) await tx.subscriptionLog.register(change.id, access, !byDelivery && spec.status === 'requested', spec.status === 'off' ? null : spec.channel);
  await tx.subscriptionLog.bumpCatalogue();
  if (spec && !byDelivery && spec.status !== 'off') await tx.enqueueJob(deliveryJob(change.id));
  touched.add(change.id);
  tx.onCommit(() => o.catalogue.apply(change.id, spec, access));
}

export function subscriptionHook(o: SubscriptionHookOptions): WriteHook {
  // Subscriptions written per transaction: one nudge (delivery runner, websocket hub) after commit.
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
  // One fan-out request per transaction that filled the outbox, after its commit.
  const filled = new WeakSet<StoreWriter>();
  return async (tx, ctx, change) => {
    if (change.resourceType === 'Subscription') return subscriptionWritten(o, tx, ctx, change, touched(tx));
    // Deletes raise no event (no topic fires on one): nothing to record.
    if (SILENT.has(change.resourceType) || change.kind === 'delete' || !o.catalogue.coversType(change.resourceType)) return;
    await tx.subscriptionLog.addToOutbox({
      focusType: change.resourceType, focusId: change.id, focusVersion: change.stored.versionId, action: change.kind, occurredAt: change.stored.lastUpdated,
    });
    if (!filled.has(tx)) {
      filled.add(tx);
      tx.onCommit(() => o.onOutboxFilled());
    }
  };
}
