/**
 * One rest-hook delivery's bookkeeping in two statements: the claim that also reads the waiting events, and
 * the finish that records the acknowledgement, completes the job and queues what follows. Each was a
 * statement pair or a four-statement transaction; with one event per notification (many subscriptions, each
 * hit rarely) these round trips were most of what subscriptions cost the machine the writes run on.
 */
import { LeaseLostError } from '../core/lease-lost-error';
import type { SqlExecutor } from './sql';
import { type ClaimStateRow, toClaimedDelivery } from './subscription-claim-row';
import type { FinishedDelivery, JobSpec, SubscriptionLog } from './types';

type ClaimRow = ClaimStateRow & { mine: boolean };

const jobRows = (jobs: readonly (JobSpec & { ifMore: boolean })[]): string => JSON.stringify(jobs.map((j) => ({
  queue: j.queue, job_key: j.key ?? null, payload: j.payload, max_attempts: j.maxAttempts ?? 5, run_at: j.runAt?.toISOString() ?? null, if_more: j.ifMore,
})));

export function subscriptionDelivery(sql: SqlExecutor): Pick<SubscriptionLog, 'claimDeliveryBatch' | 'finishDelivery'> {
  return {
    async claimDeliveryBatch(id, owner, leaseMs, limit) {
      // The lease test sits in SET, not WHERE (see claimDelivery): the row lock always waits for a holder's
      // commit. The events are read with this statement's snapshot, which may predate a fan-out that committed
      // while the lock was awaited: those events are not lost, the finish reports them as `more`.
      const free = 'deliverer IS NULL OR deliverer = $2 OR deliverer_until < clock_timestamp()';
      const { rows } = await sql.query<ClaimRow>(
        `WITH c AS (
           UPDATE subscription_state SET deliverer = CASE WHEN ${free} THEN $2 ELSE deliverer END,
             deliverer_until = CASE WHEN ${free} THEN clock_timestamp() + $3::int * interval '1 millisecond' ELSE deliverer_until END
           WHERE sub_id = $1
           RETURNING deliverer = $2 AS mine, sub_id, last_event, delivered_upto, handshake_done, failures, last_sent, last_error, access)
         SELECT c.mine, c.sub_id, c.last_event::text AS last_event, c.delivered_upto::text AS delivered_upto, c.handshake_done, c.failures,
           c.last_sent, c.last_error, c.access,
           coalesce((SELECT jsonb_agg(jsonb_build_object('n', e.event_number::text, 'topic', e.topic, 'focus_type', e.focus_type,
               'focus_id', e.focus_id, 'focus_version', e.focus_version, 'action', e.action, 'occurred_at', e.occurred_at) ORDER BY e.event_number)
             FROM (SELECT * FROM subscription_event e WHERE c.mine AND c.handshake_done AND e.sub_id = c.sub_id
                   AND e.event_number > c.delivered_upto ORDER BY e.event_number LIMIT $4) e), '[]'::jsonb) AS events
         FROM c`, [id, owner, Math.round(leaseMs), limit], 'twinfhir_subscription_claim_batch');
      const r = rows[0];
      if (!r?.mine) return null;
      return toClaimedDelivery(r);
    },
    async finishDelivery(f) {
      // The job row is locked first, so once the subscription's row is updated the job's deletion cannot fail:
      // either both leases hold and everything below happens, or neither row changes.
      const jobs = [{ ...f.continuation, ifMore: true }, ...(f.after ? [{ ...f.after, ifMore: false }] : [])];
      const { rows } = await sql.query<{ more: boolean | null }>(
        `WITH held AS (SELECT id FROM job WHERE id = $4::bigint AND lease_owner = $5 AND status = 'running' FOR UPDATE),
         d AS (
           UPDATE subscription_state SET delivered_upto = greatest(delivered_upto, $3::bigint), failures = 0, last_error = NULL,
             last_sent = clock_timestamp(), updated_at = clock_timestamp(), deliverer = NULL, deliverer_until = NULL
           WHERE sub_id = $1 AND deliverer = $2 AND EXISTS (SELECT 1 FROM held)
           RETURNING last_event > delivered_upto AS more),
         done AS (DELETE FROM job WHERE id IN (SELECT id FROM held) AND EXISTS (SELECT 1 FROM d) RETURNING id),
         queued AS (
           INSERT INTO job (queue, job_key, payload, status, max_attempts, run_at, created_at, updated_at)
           SELECT j.queue, j.job_key, j.payload, 'waiting', j.max_attempts, coalesce(j.run_at, clock_timestamp()), clock_timestamp(), clock_timestamp()
           FROM jsonb_to_recordset($6::jsonb) AS j(queue text, job_key text, payload jsonb, max_attempts integer, run_at timestamptz, if_more boolean)
           WHERE EXISTS (SELECT 1 FROM done) AND (NOT j.if_more OR (SELECT more FROM d))
           ON CONFLICT (queue, job_key) WHERE status = 'waiting' AND job_key IS NOT NULL DO NOTHING)
         SELECT (SELECT more FROM d) AS more`,
        [f.subscriptionId, f.owner, f.upTo, f.job.id, f.job.owner, jobRows(jobs)], 'twinfhir_subscription_finish');
      const more = rows[0]?.more;
      if (more === null || more === undefined) throw new LeaseLostError(`subscription ${f.subscriptionId}`);
      return { more } satisfies FinishedDelivery;
    },
  };
}
