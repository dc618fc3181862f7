/**
 * The subscription outbox in SQL (migration 016): one row per changed resource version, written by the
 * write's transaction; the fan-out reads the oldest rows with their stored versions, records the events they
 * raise (numbered on the subscriptions' state rows) and deletes exactly the rows it read, in one transaction.
 */
import { LeaseLostError } from '../core/lease-lost-error';
import { completeJob, completionDue, completionParams, completionSql } from './job-queue';
import type { ContentRow } from './rows';
import { toStored } from './rows';
import type { SqlExecutor } from './sql';
import type { SqlBuilder } from './search/sql-builder';
import type { DeliveryRoute, JobSpec, OutboxEntry, OutboxSpec, SubscriptionLogWriter } from './types';

type OutboxWriter = Pick<SubscriptionLogWriter, 'addToOutbox' | 'takeOutbox' | 'recordEvents' | 'consumeOutbox' | 'requestFanout'>;

interface OutboxRow extends Partial<ContentRow> {
  oid: string; focus_type: string; focus_id: string; focus_version: number; action: OutboxEntry['action']; occurred_at: Date | string;
}

const jobRow = (j: JobSpec): Record<string, unknown> => ({
  queue: j.queue, job_key: j.key ?? null, payload: j.payload, max_attempts: j.maxAttempts ?? 5, run_at: j.runAt?.toISOString() ?? null,
});
const jobRows = (jobs: readonly JobSpec[]): string => JSON.stringify(jobs.map(jobRow));

/** Queues jobs from rows `j` (queue, job_key, payload, max_attempts, run_at), coalesced with a waiting job of the same key. */
const INSERT_JOB = 'INSERT INTO job (queue, job_key, payload, status, max_attempts, run_at, created_at, updated_at)';
const JOB_VALUES = "j.queue, j.job_key, j.payload, 'waiting', j.max_attempts, coalesce(j.run_at, clock_timestamp()), clock_timestamp(), clock_timestamp()";
const ON_WAITING = "ON CONFLICT (queue, job_key) WHERE status = 'waiting' AND job_key IS NOT NULL DO NOTHING";
/**
 * The batched pass's one job, made due by new events: a waiting one due later (a pass's look-again at the end of
 * a lease another deliverer holds, up to a lease and a timeout ahead) is brought forward, or the events of every
 * other subscription would wait for it. One due sooner keeps its time (a window starts with its first event).
 */
const ON_WAITING_SOONER = `ON CONFLICT (queue, job_key) WHERE status = 'waiting' AND job_key IS NOT NULL
  DO UPDATE SET run_at = excluded.run_at, updated_at = excluded.updated_at WHERE job.run_at > excluded.run_at`;

/**
 * The INSERT of outbox rows, ids taken in the order given (the volatile identity default is evaluated after
 * the sort), for chaining into another statement of the write: the writer adds it to its index-row statement,
 * so recording a write for the fan-out costs no round trip of its own.
 */
export function outboxInsert(b: SqlBuilder, entries: readonly OutboxSpec[]): string {
  const types = b.param(entries.map((e) => e.focusType));
  const ids = b.param(entries.map((e) => e.focusId));
  const versions = b.param(entries.map((e) => e.focusVersion));
  const actions = b.param(entries.map((e) => e.action));
  const times = b.param(entries.map((e) => e.occurredAt.toISOString()));
  return `INSERT INTO subscription_outbox (focus_type, focus_id, focus_version, action, occurred_at)
    SELECT t, i, v, a, o FROM unnest(${types}::text[], ${ids}::text[], ${versions}::int[], ${actions}::text[], ${times}::timestamptz[])
      WITH ORDINALITY AS u(t, i, v, a, o, ord) ORDER BY ord`;
}

export function subscriptionOutboxWriter(sql: SqlExecutor): OutboxWriter {
  const consumeOutbox = async (ids: readonly string[]): Promise<void> => {
    if (ids.length) await sql.query('DELETE FROM subscription_outbox WHERE id = ANY($1::bigint[])', [ids], 'twinfhir_subscription_outbox_consume');
  };
  return {
    async addToOutbox(e) {
      await sql.query(
        'INSERT INTO subscription_outbox (focus_type, focus_id, focus_version, action, occurred_at) VALUES ($1, $2, $3, $4, $5)',
        [e.focusType, e.focusId, e.focusVersion, e.action, e.occurredAt], 'twinfhir_subscription_outbox_add');
    },
    async takeOutbox(limit) {
      const { rows } = await sql.query<OutboxRow>(
        `SELECT o.id::text AS oid, o.focus_type, o.focus_id, o.focus_version, o.action, o.occurred_at,
           h.res_type, h.id, h.version, h.last_updated, h.deleted, h.content::text AS content
         FROM (SELECT * FROM subscription_outbox ORDER BY id LIMIT $1) o
         LEFT JOIN resource_history h ON h.res_type = o.focus_type AND h.id = o.focus_id AND h.version = o.focus_version
         ORDER BY o.id`, [limit], 'twinfhir_subscription_outbox_take');
      return rows.map((r) => ({
        id: r.oid, focusType: r.focus_type, focusId: r.focus_id, focusVersion: r.focus_version, action: r.action, occurredAt: new Date(r.occurred_at),
        stored: r.res_type && r.id && r.last_updated ? toStored({ res_type: r.res_type, id: r.id, version: Number(r.version), last_updated: r.last_updated, deleted: r.deleted ?? false, content: r.content ?? null }) : null,
      }));
    },
    recordEvents: (events, jobs, route) => recordEvents(sql, consumeOutbox, events, jobs, route),
    consumeOutbox,
    requestFanout: (job) => requestFanout(sql, job),
  };
}

/** SubscriptionLogWriter.recordEvents (see types.ts): one statement with a route, two without. */
async function recordEvents(
  sql: SqlExecutor, consumeOutbox: (ids: readonly string[]) => Promise<void>,
  events: Parameters<OutboxWriter['recordEvents']>[0], jobs: readonly JobSpec[], route?: DeliveryRoute,
): Promise<Map<string, number>> {
  const complete = route?.complete;
  if (events.length === 0) {
    if (route) await consumeOutbox(route.consume);
    if (complete) complete.read(await completeJob(sql, complete.jobId, complete.owner, complete.then));
    return new Map();
  }
  const c = complete ? completionSql(5) : undefined;
  // The counters are moved once per subscription (locked in sub_id order) and each event takes base + its
  // rank among that subscription's events of this call, in the order given: gap-free and in outbox order.
  // With a route, delivery is queued (judged on the rows locked here) and the outbox rows deleted in this
  // same statement: a fan-out batch is one round trip, whatever the number of subscriptions it touched.
  const { rows } = await sql.query<{ sub_id: string | null; n: string; done: string | null; due: Date | string | null; then_at: Date | string | null }>(
    `WITH hit AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS h(ord integer, sub_id text, topic text, focus_type text, focus_id text,
         focus_version integer, action text, occurred_at timestamptz)),
     counts AS (SELECT sub_id, count(*) AS n FROM hit GROUP BY sub_id),
     locked AS (SELECT s.sub_id FROM subscription_state s JOIN counts USING (sub_id) ORDER BY s.sub_id FOR UPDATE OF s),
     moved AS (UPDATE subscription_state s SET last_event = s.last_event + c.n FROM counts c
       WHERE s.sub_id = c.sub_id AND s.sub_id IN (SELECT sub_id FROM locked)
       RETURNING s.sub_id, s.last_event - c.n AS base, (coalesce(s.channel = 'rest-hook', false) AND s.handshake_done AND s.failures = 0) AS batched),
     ev AS (INSERT INTO subscription_event (sub_id, event_number, topic, focus_type, focus_id, focus_version, action, occurred_at)
       SELECT h.sub_id, m.base + row_number() OVER (PARTITION BY h.sub_id ORDER BY h.ord), h.topic, h.focus_type, h.focus_id,
         h.focus_version, h.action, h.occurred_at
       FROM hit h JOIN moved m USING (sub_id) RETURNING sub_id),
     routed AS (SELECT r.*, m.batched FROM jsonb_to_recordset($2::jsonb)
         AS r(sub_id text, queue text, job_key text, payload jsonb, max_attempts integer, run_at timestamptz) JOIN moved m USING (sub_id)),
     own AS (${INSERT_JOB} SELECT ${JOB_VALUES} FROM routed j WHERE NOT j.batched ${ON_WAITING}),
     shared AS (${INSERT_JOB} SELECT ${JOB_VALUES}
       FROM jsonb_to_recordset($3::jsonb) AS j(queue text, job_key text, payload jsonb, max_attempts integer, run_at timestamptz)
       WHERE EXISTS (SELECT 1 FROM routed WHERE batched) ${ON_WAITING_SOONER}),
     gone AS (DELETE FROM subscription_outbox WHERE id = ANY($4::bigint[]))${c ? `, ${c.ctes}` : ''}
     SELECT e.sub_id, e.n, ${c ? `done.id::text AS done, ${c.columns}` : 'NULL AS done, NULL AS due, NULL AS then_at'}
     FROM (SELECT 1) one LEFT JOIN (SELECT sub_id, count(*)::text AS n FROM ev GROUP BY sub_id) e ON true${c ? ' LEFT JOIN done ON true' : ''}`,
    [JSON.stringify(events.map((e, ord) => ({
      ord, sub_id: e.subscriptionId, topic: e.topic, focus_type: e.focusType, focus_id: e.focusId, focus_version: e.focusVersion,
      action: e.action, occurred_at: e.occurredAt.toISOString(),
    }))), JSON.stringify(route?.perSubscription.map((r) => ({ sub_id: r.subscriptionId, ...jobRow(r.job) })) ?? []),
    jobRows(route ? [route.batch] : []), route?.consume ?? [], ...(complete ? completionParams(complete.jobId, complete.owner, complete.then) : [])],
    complete ? 'twinfhir_subscription_events_record_complete' : 'twinfhir_subscription_events_record');
  if (complete) {
    // Taken over meanwhile: the events were recorded by a run that is no longer the job's (the transaction rolls back).
    if (!rows[0]?.done) throw new LeaseLostError(complete.jobId);
    complete.read(completionDue(rows[0]));
  }
  // Only now (counters locked by this transaction): a waiting delivery job that absorbs these cannot be
  // finished by a deliverer before the events exist — its claim waits for this commit.
  if (jobs.length) {
    await sql.query(
      `${INSERT_JOB} SELECT ${JOB_VALUES}
       FROM jsonb_to_recordset($1::jsonb) AS j(queue text, job_key text, payload jsonb, max_attempts integer, run_at timestamptz)
       ${ON_WAITING}`, [jobRows(jobs)], 'twinfhir_subscription_jobs');
  }
  return new Map(rows.filter((r): r is typeof r & { sub_id: string } => r.sub_id !== null).map((r) => [r.sub_id, Number(r.n)]));
}

/** Makes the fan-out job due by `job.runAt` (now when unset): inserts it, or moves a waiting one's run_at forward. */
export async function requestFanout(sql: SqlExecutor, job: JobSpec): Promise<void> {
  // A waiting fan-out (e.g. the periodic sweep) is made due sooner; one due sooner already is left untouched (no write).
  await sql.query(
    `INSERT INTO job (queue, job_key, payload, status, max_attempts, run_at, created_at, updated_at)
     SELECT j.queue, j.job_key, j.payload, 'waiting', j.max_attempts, coalesce(j.run_at, clock_timestamp()), clock_timestamp(), clock_timestamp()
     FROM jsonb_to_recordset($1::jsonb) AS j(queue text, job_key text, payload jsonb, max_attempts integer, run_at timestamptz)
     ON CONFLICT (queue, job_key) WHERE status = 'waiting' AND job_key IS NOT NULL
     DO UPDATE SET run_at = excluded.run_at, updated_at = excluded.updated_at WHERE job.run_at > excluded.run_at`,
    [jobRows([job])], 'twinfhir_subscription_fanout_request');
}
