/**
 * Subscription events and delivery progress in SQL (migration 009). An event's number comes from its
 * subscription's state row, incremented by the fan-out that records it (subscription-outbox.ts): numbers are
 * gap-free and an event exists exactly when its write committed and the fan-out consumed its outbox row. Delivery is leased per subscription (one deliverer keeps the order);
 * times come from the database clock, as for jobs.
 */
import { LeaseLostError } from '../core/lease-lost-error';
import type { SqlExecutor } from './sql';
import { subscriptionBatchDelivery } from './subscription-batch';
import { subscriptionDelivery } from './subscription-delivery';
import { subscriptionRetention } from './subscription-retention';
import { requestFanout, subscriptionOutboxWriter } from './subscription-outbox';
import type { SubscriptionAccess, SubscriptionEvent, SubscriptionLog, SubscriptionLogWriter, SubscriptionState } from './types';

interface StateRow {
  sub_id: string; last_event: string; delivered_upto: string; handshake_done: boolean; failures: number;
  last_sent: Date | string | null; last_error: string | null; access: SubscriptionAccess;
}

interface EventRow {
  sub_id: string; event_number: string; topic: string; focus_type: string; focus_id: string; focus_version: number;
  action: SubscriptionEvent['action']; occurred_at: Date | string;
}

const STATE_COLUMNS = 'sub_id, last_event::text AS last_event, delivered_upto::text AS delivered_upto, handshake_done, failures, last_sent, last_error, access';

const toState = (r: StateRow): SubscriptionState => ({
  subscriptionId: r.sub_id, lastEvent: Number(r.last_event), deliveredUpTo: Number(r.delivered_upto), handshakeDone: r.handshake_done,
  failures: r.failures, ...(r.last_sent ? { lastSent: new Date(r.last_sent) } : {}), ...(r.last_error ? { lastError: r.last_error } : {}), access: r.access,
});

const toEvent = (r: EventRow): SubscriptionEvent => ({
  subscriptionId: r.sub_id, eventNumber: Number(r.event_number), topic: r.topic, focusType: r.focus_type, focusId: r.focus_id,
  focusVersion: r.focus_version, action: r.action, occurredAt: new Date(r.occurred_at),
});

/** Error texts are kept for $status; bounded. */
const clip = (s: string): string => (s.length > 500 ? `${s.slice(0, 500)}…` : s);

export function subscriptionLogWriter(sql: SqlExecutor): SubscriptionLogWriter {
  return {
    ...subscriptionOutboxWriter(sql),
    async register(id, access, handshakeAgain, channel) {
      await sql.query(
        `INSERT INTO subscription_state (sub_id, access, channel, updated_at) VALUES ($1, coalesce($2::jsonb, '{}'::jsonb), $4::text, clock_timestamp())
         ON CONFLICT (sub_id) DO UPDATE SET access = coalesce($2::jsonb, subscription_state.access),
           handshake_done = subscription_state.handshake_done AND NOT $3, failures = CASE WHEN $3 THEN 0 ELSE subscription_state.failures END,
           channel = CASE WHEN $5 THEN $4::text ELSE subscription_state.channel END, updated_at = clock_timestamp()`,
        [id, access ? JSON.stringify(access) : null, handshakeAgain, channel ?? null, channel !== undefined]);
    },
    async bumpCatalogue() {
      await sql.query('UPDATE subscription_catalogue_version SET version = version + 1');
    },
    async lockWithCatalogueVersion(key) {
      // The version is read on this statement's snapshot (taken before any wait for the lock): no older than a
      // version read before the transaction, which is what the fan-out compared before.
      const { rows } = await sql.query<{ v: string | null }>(
        `SELECT (SELECT version::text FROM subscription_catalogue_version) AS v FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 0))) l`,
        [key], 'twinfhir_subscription_fanout_lock');
      return rows[0]?.v ?? '0';
    },
    async delivered(id, owner, upTo, handshake, letGo = false) {
      // With letGo the lease is given up in the same statement; `more` (events newer than upTo) is read from the
      // row this statement locked, so an event committed after it finds the lease free and its job delivers it.
      const { rows } = await sql.query<{ more: boolean }>(
        `UPDATE subscription_state SET delivered_upto = greatest(delivered_upto, $3::bigint), handshake_done = handshake_done OR $4,
           failures = 0, last_error = NULL, last_sent = clock_timestamp(), updated_at = clock_timestamp(),
           deliverer = CASE WHEN $5 THEN NULL ELSE deliverer END, deliverer_until = CASE WHEN $5 THEN NULL ELSE deliverer_until END
         WHERE sub_id = $1 AND deliverer = $2 RETURNING last_event > delivered_upto AS more`, [id, owner, upTo, handshake, letGo],
        'twinfhir_subscription_delivered');
      if (!rows[0]) throw new LeaseLostError(`subscription ${id}`);
      return { more: rows[0].more };
    },
    async release(id, owner, force = false) {
      // Atomic with the event counter: an event committed after this check finds the lease free and its job delivers it.
      const { rows } = await sql.query(
        `UPDATE subscription_state SET deliverer = NULL, deliverer_until = NULL
         WHERE sub_id = $1 AND deliverer = $2 AND (delivered_upto >= last_event OR $3) RETURNING sub_id`, [id, owner, force]);
      return rows.length === 1;
    },
  };
}

export function createSubscriptionLog(sql: SqlExecutor): SubscriptionLog {
  return {
    ...subscriptionRetention(sql),
    ...subscriptionDelivery(sql),
    ...subscriptionBatchDelivery(sql),
    requestFanout: (job) => requestFanout(sql, job),
    async catalogueVersion() {
      const { rows } = await sql.query<{ v: string }>('SELECT version::text AS v FROM subscription_catalogue_version');
      return rows[0]?.v ?? '0';
    },
    async state(id) {
      const { rows } = await sql.query<StateRow>(`SELECT ${STATE_COLUMNS} FROM subscription_state WHERE sub_id = $1`, [id]);
      return rows[0] ? toState(rows[0]) : null;
    },
    async accessOf(ids) {
      if (ids.length === 0) return new Map();
      const { rows } = await sql.query<{ sub_id: string; access: SubscriptionAccess }>(
        'SELECT sub_id, access FROM subscription_state WHERE sub_id = ANY($1::text[])', [[...ids]]);
      return new Map(rows.map((r) => [r.sub_id, r.access]));
    },
    async events(id, since, until, limit) {
      // Ordered by the qualified bigint column: the text alias of the same name would sort 10 before 2, and a
      // delivery batch cut by LIMIT then acknowledged up to its last number, skipping the ones left out.
      const { rows } = await sql.query<EventRow>(
        `SELECT sub_id, event_number::text AS event_number, topic, focus_type, focus_id, focus_version, action, occurred_at
         FROM subscription_event e WHERE sub_id = $1 AND e.event_number > $2::bigint AND e.event_number <= $3::bigint
         ORDER BY e.event_number LIMIT $4`, [id, since, until, limit], 'twinfhir_subscription_events');
      return rows.map(toEvent);
    },
    async claimDelivery(id, owner, leaseMs) {
      // The lease test sits in SET, not WHERE: a WHERE on the lease columns is first judged on this statement's
      // snapshot, so a holder committing its release right now would make it skip the row without waiting, and
      // a job whose event the holder left to it would finish idle (a stranded event). Locking the row always
      // waits for that commit and judges the newest version.
      const free = 'deliverer IS NULL OR deliverer = $2 OR deliverer_until < clock_timestamp()';
      const { rows } = await sql.query<StateRow & { mine: boolean }>(
        `UPDATE subscription_state SET deliverer = CASE WHEN ${free} THEN $2 ELSE deliverer END,
           deliverer_until = CASE WHEN ${free} THEN clock_timestamp() + $3::int * interval '1 millisecond' ELSE deliverer_until END
         WHERE sub_id = $1
         RETURNING deliverer = $2 AS mine, ${STATE_COLUMNS}`, [id, owner, Math.round(leaseMs)], 'twinfhir_subscription_claim');
      return rows[0]?.mine ? toState(rows[0]) : null;
    },
    async deliveryFailed(id, owner, error) {
      const { rows } = await sql.query<{ failures: number }>(
        `UPDATE subscription_state SET failures = failures + 1, last_error = $3, updated_at = clock_timestamp()
         WHERE sub_id = $1 AND deliverer = $2 RETURNING failures`, [id, owner, clip(error)]);
      return rows[0]?.failures ?? 0;
    },
  };
}
