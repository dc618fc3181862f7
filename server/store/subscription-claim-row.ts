/**
 * The row shape both delivery claims read (single-subscription, subscription-delivery.ts, and the batched pass,
 * subscription-batch.ts) and its one mapping to a ClaimedDelivery, so the two paths cannot drift apart.
 */
import type { ClaimedDelivery, SubscriptionAccess, SubscriptionEvent } from './types';

export interface ClaimStateRow {
  sub_id: string; last_event: string; delivered_upto: string; handshake_done: boolean; failures: number;
  last_sent: Date | string | null; last_error: string | null; access: SubscriptionAccess;
  events: { n: string; topic: string; focus_type: string; focus_id: string; focus_version: number; action: SubscriptionEvent['action']; occurred_at: string }[];
}

export const toClaimedDelivery = (r: ClaimStateRow): ClaimedDelivery => ({
  state: {
    subscriptionId: r.sub_id, lastEvent: Number(r.last_event), deliveredUpTo: Number(r.delivered_upto), handshakeDone: r.handshake_done,
    failures: r.failures, ...(r.last_sent ? { lastSent: new Date(r.last_sent) } : {}), ...(r.last_error ? { lastError: r.last_error } : {}), access: r.access,
  },
  events: r.events.map((e) => ({
    subscriptionId: r.sub_id, eventNumber: Number(e.n), topic: e.topic, focusType: e.focus_type, focusId: e.focus_id,
    focusVersion: e.focus_version, action: e.action, occurredAt: new Date(e.occurred_at),
  })),
});
