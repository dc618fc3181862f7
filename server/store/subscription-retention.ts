/**
 * Retention of recorded subscription events (kept after delivery for `$events` replay). A pruning pass
 * deletes one small batch of rows (each call its own short statement, so writes recording new events are
 * never held up for long) that are older than the retention AND no longer owed to anyone:
 *  - delivered: the number is at or below the subscription's delivered-up-to (rest-hook acknowledged it);
 *  - websocket: pushed best-effort with no acknowledgement, so the retention is its replay window;
 *  - its Subscription is off (nothing will deliver it) — or deleted, or gone, in which case age does not matter:
 *    no one can ask a deleted subscription for its events.
 * An undelivered event of a live rest-hook subscription (requested, active, error) is never pruned.
 */
import type { SqlExecutor } from './sql';

export function subscriptionRetention(sql: SqlExecutor): {
  pruneEvents(olderThan: Date, limit: number): Promise<number>;
  oldestEvent(subscriptionId: string): Promise<number | null>;
} {
  return {
    async pruneEvents(olderThan, limit) {
      const { rows } = await sql.query<{ n: string }>(
        `WITH victim AS (
           SELECT e.sub_id, e.event_number FROM subscription_event e
           LEFT JOIN subscription_state s ON s.sub_id = e.sub_id
           LEFT JOIN resource r ON r.res_type = 'Subscription' AND r.id = e.sub_id
           WHERE r.id IS NULL OR r.deleted OR (e.occurred_at < $1::timestamptz AND (
             e.event_number <= s.delivered_upto OR s.sub_id IS NULL
             OR r.content->>'status' = 'off' OR r.content->'channel'->>'type' = 'websocket'))
           LIMIT $2
           FOR UPDATE OF e SKIP LOCKED),
         gone AS (DELETE FROM subscription_event d USING victim v WHERE d.sub_id = v.sub_id AND d.event_number = v.event_number RETURNING 1)
         SELECT count(*)::text AS n FROM gone`,
        [olderThan.toISOString(), limit], 'twinfhir_subscription_prune');
      return Number(rows[0]?.n ?? 0);
    },
    async oldestEvent(id) {
      const { rows } = await sql.query<{ n: string | null }>(
        'SELECT min(event_number)::text AS n FROM subscription_event WHERE sub_id = $1', [id], 'twinfhir_subscription_oldest_event');
      return rows[0]?.n ? Number(rows[0].n) : null;
    },
  };
}
