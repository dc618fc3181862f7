/**
 * Batched rest-hook delivery in SQL (migration 018): a pass claims the delivery leases of many subscriptions
 * with their waiting events in one statement, and records what became of each (acknowledged, failed, parked)
 * in one more. Per subscription this keeps the lease rules of the single-subscription path
 * (subscription-delivery.ts): one holder at a time, an expired lease is free, an outcome from a deliverer that
 * no longer holds the lease changes nothing. State rows are locked in sub_id order, as the fan-out locks them
 * (subscription-outbox.ts), so the two never deadlock; the claim waits for a fan-out's commit instead of
 * skipping its rows, so a pass that ends never leaves behind events a fan-out was committing.
 */
import type { SqlExecutor } from './sql';
import { type ClaimStateRow, toClaimedDelivery } from './subscription-claim-row';
import { LeaseLostError } from '../core/lease-lost-error';
import { completionDue } from './job-queue';
import type { DeliveryOutcome, FinishedDeliveryOutcome, JobSpec, PassCompletion, SubscriptionLog } from './types';

type ClaimRow = Omit<ClaimStateRow, 'sub_id'> & { sub_id: string | null; held_until: Date | string | null };

/** Which subscriptions a pass may take (the same test the fan-out uses to give them the batch job). */
const BATCHED = "channel = 'rest-hook' AND handshake_done AND failures = 0 AND last_event > delivered_upto";
// Not "or held by this owner": a pass holds a lease exactly while its POST is in flight or its outcome unrecorded.
const FREE = '(deliverer IS NULL OR deliverer_until < clock_timestamp())';

/** Error texts are kept for $status; bounded. */
const clip = (s: string): string => (s.length > 500 ? `${s.slice(0, 500)}…` : s);

const jobOf = (j: JobSpec | undefined): Record<string, unknown> | null => (j ? {
  queue: j.queue, job_key: j.key ?? null, payload: j.payload, max_attempts: j.maxAttempts ?? 5, run_at: j.runAt?.toISOString() ?? null,
} : null);

/**
 * The pass's own job completed by its finish ($3 id, $4 owner, $5 the job to queue after it, $6 whether that job
 * is wanted): deleted while the owner holds it; its successor is queued when wanted, or due at once when an outcome
 * has events waiting (a waiting pass job due later is brought forward). `due` reads when the queue next has
 * something to claim, as completionSql does (job-queue.ts), on this statement's snapshot.
 */
const PASS_DONE = `done AS (DELETE FROM job WHERE id = $3::bigint AND lease_owner = $4 AND status = 'running' RETURNING id, queue),
  waiting AS (SELECT EXISTS (SELECT 1 FROM d WHERE more) AS more),
  next AS (INSERT INTO job (queue, job_key, payload, status, max_attempts, run_at, created_at, updated_at)
    SELECT j.queue, j.job_key, j.payload, 'waiting', j.max_attempts,
      CASE WHEN w.more THEN clock_timestamp() ELSE coalesce(j.run_at, clock_timestamp()) END, clock_timestamp(), clock_timestamp()
    FROM jsonb_to_record($5::jsonb) AS j(queue text, job_key text, payload jsonb, max_attempts integer, run_at timestamptz), waiting w
    WHERE EXISTS (SELECT 1 FROM done) AND ($6::boolean OR w.more)
    ON CONFLICT (queue, job_key) WHERE status = 'waiting' AND job_key IS NOT NULL
    DO UPDATE SET run_at = excluded.run_at, updated_at = excluded.updated_at WHERE job.run_at > excluded.run_at)`;
const PASS_SELECT = `SELECT d.sub_id, d.failures, d.more, done.id::text AS done,
    (SELECT min(CASE WHEN j.status = 'waiting' THEN j.run_at ELSE j.lease_until END) FROM job j
      WHERE j.queue = done.queue AND j.status IN ('waiting', 'running') AND j.id <> done.id) AS due,
    CASE WHEN done.id IS NULL OR NOT ($6::boolean OR w.more) THEN NULL WHEN w.more THEN clock_timestamp()
      ELSE coalesce(($5::jsonb ->> 'run_at')::timestamptz, clock_timestamp()) END AS then_at
  FROM (SELECT 1) one CROSS JOIN waiting w LEFT JOIN d ON true LEFT JOIN done ON true`;

export function subscriptionBatchDelivery(sql: SqlExecutor): Pick<SubscriptionLog, 'claimDeliveries' | 'finishDeliveries'> {
  return {
    async claimDeliveries(owner, leaseMs, limit, perSubscription, exclude) {
      // Candidates longest unserved first, then locked in sub_id order and judged again on their newest version
      // (a row the fan-out held is read as it committed it). The events come from this statement's snapshot,
      // which may predate that commit: a claim can carry fewer events than are waiting, even none; the finish
      // reports the rest as `more`. The extra row (sub_id NULL) carries when other deliverers' leases end.
      const { rows } = await sql.query<ClaimRow>(
        `WITH pick AS (SELECT sub_id FROM subscription_state WHERE ${BATCHED} AND ${FREE} AND NOT (sub_id = ANY($5::text[]))
             ORDER BY last_sent NULLS FIRST, sub_id LIMIT $3),
         locked AS (SELECT s.sub_id FROM subscription_state s WHERE s.sub_id IN (SELECT sub_id FROM pick) AND ${BATCHED} AND ${FREE}
             ORDER BY s.sub_id FOR UPDATE OF s),
         c AS (UPDATE subscription_state s SET deliverer = $1, deliverer_until = clock_timestamp() + $2::int * interval '1 millisecond'
             WHERE s.sub_id IN (SELECT sub_id FROM locked)
             RETURNING s.sub_id, s.last_event, s.delivered_upto, s.handshake_done, s.failures, s.last_sent, s.last_error, s.access)
         SELECT c.sub_id, c.last_event::text AS last_event, c.delivered_upto::text AS delivered_upto, c.handshake_done, c.failures,
           c.last_sent, c.last_error, c.access, NULL::timestamptz AS held_until,
           coalesce((SELECT jsonb_agg(jsonb_build_object('n', e.event_number::text, 'topic', e.topic, 'focus_type', e.focus_type,
               'focus_id', e.focus_id, 'focus_version', e.focus_version, 'action', e.action, 'occurred_at', e.occurred_at) ORDER BY e.event_number)
             FROM (SELECT * FROM subscription_event e WHERE e.sub_id = c.sub_id AND e.event_number > c.delivered_upto
                   ORDER BY e.event_number LIMIT $4) e), '[]'::jsonb) AS events
         FROM c
         UNION ALL
         SELECT NULL, '0', '0', false, 0, NULL, NULL, '{}'::jsonb,
           (SELECT min(deliverer_until) FROM subscription_state WHERE ${BATCHED} AND deliverer IS NOT NULL AND deliverer <> $1), '[]'::jsonb`,
        [owner, Math.round(leaseMs), limit, perSubscription, [...exclude]], 'twinfhir_subscription_claim_many');
      const held = rows.find((r) => r.sub_id === null)?.held_until;
      return {
        claimed: rows.filter((r): r is ClaimRow & { sub_id: string } => r.sub_id !== null).map(toClaimedDelivery),
        ...(held ? { heldUntil: new Date(held) } : {}),
      };
    },
    finishDeliveries: (owner, outcomes, complete) => finishDeliveries(sql, owner, outcomes, complete),
  };
}

/** SubscriptionLog.finishDeliveries: one statement, which completes the pass's job too when `complete` is given. */
async function finishDeliveries(
  sql: SqlExecutor, owner: string, outcomes: readonly DeliveryOutcome[], complete?: PassCompletion,
): Promise<FinishedDeliveryOutcome[]> {
  if (outcomes.length === 0 && !complete) return [];
  // Each outcome applies only where `owner` still holds the lease; its follow-up job is queued only then.
  const { rows } = await sql.query<{ sub_id: string | null; failures: number; more: boolean; done?: string | null; due?: Date | string | null; then_at?: Date | string | null }>(
    `WITH o AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS o(sub_id text, up_to bigint, error text, park boolean, job jsonb)),
     locked AS (SELECT s.sub_id FROM subscription_state s JOIN o USING (sub_id) WHERE s.deliverer = $1 ORDER BY s.sub_id FOR UPDATE OF s),
     d AS (UPDATE subscription_state s SET
         delivered_upto = greatest(s.delivered_upto, coalesce(o.up_to, 0)),
         failures = CASE WHEN o.error IS NOT NULL THEN s.failures + 1 WHEN o.up_to IS NOT NULL THEN 0 ELSE s.failures END,
         last_error = CASE WHEN o.error IS NOT NULL THEN o.error WHEN o.up_to IS NOT NULL THEN NULL ELSE s.last_error END,
         last_sent = CASE WHEN o.up_to IS NOT NULL AND o.up_to > s.delivered_upto THEN clock_timestamp() ELSE s.last_sent END,
         channel = CASE WHEN o.park THEN NULL ELSE s.channel END,
         deliverer = NULL, deliverer_until = NULL, updated_at = clock_timestamp()
       FROM o WHERE s.sub_id = o.sub_id AND s.sub_id IN (SELECT sub_id FROM locked) AND s.deliverer = $1
       RETURNING s.sub_id, s.failures, s.last_event > s.delivered_upto AS more),
     queued AS (
       INSERT INTO job (queue, job_key, payload, status, max_attempts, run_at, created_at, updated_at)
       SELECT j.queue, j.job_key, j.payload, 'waiting', j.max_attempts, coalesce(j.run_at, clock_timestamp()), clock_timestamp(), clock_timestamp()
       FROM o CROSS JOIN LATERAL jsonb_to_record(o.job) AS j(queue text, job_key text, payload jsonb, max_attempts integer, run_at timestamptz)
       WHERE o.job IS NOT NULL AND o.sub_id IN (SELECT sub_id FROM d)
       ON CONFLICT (queue, job_key) WHERE status = 'waiting' AND job_key IS NOT NULL DO NOTHING)${complete ? `, ${PASS_DONE}` : ''}
     ${complete ? PASS_SELECT : 'SELECT sub_id, failures, more FROM d'}`,
    [owner, JSON.stringify(outcomes.map((o) => ({
      sub_id: o.subscriptionId, up_to: o.upTo ?? null, error: o.error !== undefined ? clip(o.error) : null, park: o.park === true, job: jobOf(o.after),
    }))), ...(complete ? [complete.jobId, complete.owner, JSON.stringify(jobOf(complete.then)), complete.thenWanted] : [])],
    complete ? 'twinfhir_subscription_finish_many_complete' : 'twinfhir_subscription_finish_many');
  if (complete) {
    // Taken over meanwhile: the outcomes applied where this owner still held the subscriptions, as before.
    if (!rows[0]?.done) throw new LeaseLostError(complete.jobId);
    complete.read(completionDue({ due: rows[0].due ?? null, then_at: rows[0].then_at ?? null }));
  }
  return rows.filter((r): r is typeof r & { sub_id: string } => r.sub_id !== null).map((r) => ({ subscriptionId: r.sub_id, failures: r.failures, more: r.more }));
}
