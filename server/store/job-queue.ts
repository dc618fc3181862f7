/**
 * Durable jobs in SQL (table job, migration 004): claim under a lease with FOR UPDATE SKIP LOCKED so
 * N workers never hold one job at once, and completion inside the results' transaction so a job whose
 * lease was taken over cannot write twice. Times come from the database clock (one clock for all servers).
 */
import { LeaseLostError } from '../core/lease-lost-error';
import type { SqlExecutor, SqlParam } from './sql';
import type { Job, JobQueue, JobSpec } from './types';

interface JobRow {
  id: string; queue: string; job_key: string | null; payload: Record<string, unknown>; attempts: number; max_attempts: number;
  created_at: Date | string; lease_owner: string; lease_until: Date | string;
}

const toJob = (r: JobRow): Job => ({
  id: r.id, queue: r.queue, ...(r.job_key !== null ? { key: r.job_key } : {}), payload: r.payload,
  attempts: r.attempts, maxAttempts: r.max_attempts, createdAt: new Date(r.created_at),
  leaseOwner: r.lease_owner, leaseUntil: new Date(r.lease_until),
});

/** Error texts are stored for operators; keep them bounded. */
const clip = (s: string): string => (s.length > 2000 ? `${s.slice(0, 2000)}…` : s);

export async function enqueueJob(sql: SqlExecutor, job: JobSpec): Promise<void> {
  await sql.query(
    `INSERT INTO job (queue, job_key, payload, status, max_attempts, run_at, created_at, updated_at)
     VALUES ($1, $2, $3::jsonb, 'waiting', $4, coalesce($5::timestamptz, clock_timestamp()), clock_timestamp(), clock_timestamp())
     ON CONFLICT (queue, job_key) WHERE status = 'waiting' AND job_key IS NOT NULL DO NOTHING`,
    [job.queue, job.key ?? null, JSON.stringify(job.payload), job.maxAttempts ?? 5, job.runAt?.toISOString() ?? null],
    'twinfhir_job_enqueue',
  );
}

/**
 * Completes a claimed job (throws LeaseLostError when `owner` no longer holds it) and returns when its queue next
 * has something to claim, read by the same statement (null: nothing waiting or running): the runner sleeps until
 * then instead of asking again. Read on the statement's snapshot: a job queued by another server after it is
 * found by the runner's poll, as one queued after any claim is.
 */
/**
 * The statement parts of a completion (see completeJob), parameters from $`at` on (id, owner, then's queue, key,
 * payload, max attempts, run at): CTEs `done` and `next` to put into a statement, `due` and `then_at` columns to
 * select from `done`. Another statement that writes the job's results can complete it too (one round trip less).
 */
export function completionSql(at: number): { ctes: string; columns: string } {
  const p = (i: number): string => `$${at + i}`;
  const done = `DELETE FROM job WHERE id = ${p(0)}::bigint AND lease_owner = ${p(1)} AND status = 'running' RETURNING id, queue`;
  // Read on the statement's snapshot: a job queued by another server after it is found by the runner's poll.
  // `next` is queued only if the lease was still held; the job being deleted is running, so it never meets the
  // waiting-key index. The snapshot does not see `next`'s row: its own time counts when it is of the same queue.
  return {
    ctes: `done AS (${done}),
       next AS (INSERT INTO job (queue, job_key, payload, status, max_attempts, run_at, created_at, updated_at)
         SELECT ${p(2)}, ${p(3)}, ${p(4)}::jsonb, 'waiting', ${p(5)}, coalesce(${p(6)}::timestamptz, clock_timestamp()), clock_timestamp(), clock_timestamp()
         WHERE EXISTS (SELECT 1 FROM done) AND ${p(2)}::text IS NOT NULL
         ON CONFLICT (queue, job_key) WHERE status = 'waiting' AND job_key IS NOT NULL DO NOTHING)`,
    columns: `(SELECT min(CASE WHEN j.status = 'waiting' THEN j.run_at ELSE j.lease_until END) FROM job j
      WHERE j.queue = done.queue AND j.status IN ('waiting', 'running') AND j.id <> ${p(0)}::bigint) AS due,
      CASE WHEN done.queue = ${p(2)} THEN coalesce(${p(6)}::timestamptz, clock_timestamp()) END AS then_at`,
  };
}

/** completionSql's parameters. */
export const completionParams = (id: string, owner: string, then?: JobSpec): SqlParam[] =>
  [id, owner, then?.queue ?? null, then?.key ?? null, JSON.stringify(then?.payload ?? {}), then?.maxAttempts ?? 5, then?.runAt?.toISOString() ?? null];

/** What completionSql's columns read: when the queue next has something to claim (null: nothing). */
export function completionDue(row: { due: Date | string | null; then_at: Date | string | null }): Date | null {
  const times = [row.due, row.then_at].filter((t): t is Date | string => t !== null).map((t) => new Date(t).getTime());
  return times.length ? new Date(Math.min(...times)) : null;
}

/**
 * Completes a claimed job (throws LeaseLostError when `owner` no longer holds it) and returns when its queue next
 * has something to claim, read by the same statement (null: nothing waiting or running): the runner sleeps until
 * then instead of asking again. `then` is queued in the same statement (a job that reschedules itself costs one
 * round trip, not two).
 */
export async function completeJob(sql: SqlExecutor, id: string, owner: string, then?: JobSpec): Promise<Date | null> {
  const c = completionSql(1);
  const { rows } = await sql.query<{ id: string; due: Date | string | null; then_at: Date | string | null }>(
    `WITH ${c.ctes} SELECT id, ${c.columns} FROM done`, completionParams(id, owner, then), then ? 'twinfhir_job_complete_then_due' : 'twinfhir_job_complete_due');
  if (!rows.length) throw new LeaseLostError(id);
  return completionDue(rows[0]);
}

export async function cancelWaitingJobs(sql: SqlExecutor, queue: string, key: string): Promise<number> {
  const { rows } = await sql.query("DELETE FROM job WHERE queue = $1 AND job_key = $2 AND status = 'waiting' RETURNING id", [queue, key]);
  return rows.length;
}

/** Claims up to $4 due jobs of queue $1 for owner $2 under a lease of $3 ms. */
const CLAIM = `UPDATE job SET status = 'running', lease_owner = $2, attempts = attempts + 1,
    lease_until = clock_timestamp() + $3::int * interval '1 millisecond', updated_at = clock_timestamp()
  WHERE id IN (
    SELECT id FROM job
    WHERE queue = $1 AND ((status = 'waiting' AND run_at <= clock_timestamp()) OR (status = 'running' AND lease_until < clock_timestamp()))
    ORDER BY run_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
  RETURNING id::text AS id, queue, job_key, payload, attempts, max_attempts, created_at, lease_owner, lease_until`;

/** When the next job of queue $1 is due: a waiting one's run_at, or a running one's lease end (it may have died). */
const NEXT_DUE = `SELECT min(CASE WHEN status = 'waiting' THEN run_at ELSE lease_until END) AS due FROM job
  WHERE queue = $1 AND status IN ('waiting', 'running')`;

export function createJobQueue(sql: SqlExecutor): JobQueue {
  return {
    async claim(queue, owner, leaseMs, limit) {
      const { rows } = await sql.query<JobRow>(CLAIM, [queue, owner, Math.round(leaseMs), limit], 'twinfhir_job_claim');
      return rows.map(toJob).sort((a, b) => Number(a.id) - Number(b.id));
    },
    async claimOrNextDue(queue, owner, leaseMs, limit) {
      // The due time is read on the statement's snapshot: when nothing was claimed, nothing changed under it.
      const { rows } = await sql.query<Partial<JobRow> & { due: Date | string | null }>(
        `WITH c AS (${CLAIM}) SELECT c.*, d.due FROM (${NEXT_DUE}) d LEFT JOIN c ON true`,
        [queue, owner, Math.round(leaseMs), limit], 'twinfhir_job_claim_or_due');
      const jobs = rows.filter((r): r is JobRow & { due: Date | string | null } => r.id != null).map(toJob).sort((a, b) => Number(a.id) - Number(b.id));
      const due = rows[0]?.due;
      return { jobs, nextDue: jobs.length || !due ? null : new Date(due) };
    },
    complete: (id, owner, then) => completeJob(sql, id, owner, then),
    async extendLease(id, owner, leaseMs) {
      const { rows } = await sql.query(
        `UPDATE job SET lease_until = clock_timestamp() + $3::int * interval '1 millisecond', updated_at = clock_timestamp()
         WHERE id = $1::bigint AND lease_owner = $2 AND status = 'running' RETURNING id`, [id, owner, Math.round(leaseMs)]);
      return rows.length === 1;
    },
    async retry(id, owner, retryAt, error) {
      // A newer waiting job with the same key will do the work: drop this one instead of clashing with it.
      await sql.query(
        `DELETE FROM job j WHERE j.id = $1::bigint AND j.lease_owner = $2 AND j.job_key IS NOT NULL AND EXISTS (
           SELECT 1 FROM job w WHERE w.queue = j.queue AND w.job_key = j.job_key AND w.status = 'waiting')`, [id, owner]);
      await sql.query(
        `UPDATE job SET status = 'waiting', run_at = $3::timestamptz, lease_owner = NULL, lease_until = NULL, last_error = $4,
           updated_at = clock_timestamp() WHERE id = $1::bigint AND lease_owner = $2 AND status = 'running'`,
        [id, owner, retryAt.toISOString(), clip(error)]);
    },
    async fail(id, owner, error) {
      await sql.query(
        `UPDATE job SET status = 'failed', lease_owner = NULL, lease_until = NULL, last_error = $3, updated_at = clock_timestamp()
         WHERE id = $1::bigint AND lease_owner = $2 AND status = 'running'`, [id, owner, clip(error)]);
    },
    async depth() {
      const { rows } = await sql.query<{ queue: string; status: string; n: string }>(
        'SELECT queue, status, count(*)::text AS n FROM job GROUP BY queue, status');
      const out: Record<string, { waiting: number; running: number; failed: number }> = {};
      for (const r of rows) {
        const q = (out[r.queue] ??= { waiting: 0, running: 0, failed: 0 });
        if (r.status === 'waiting' || r.status === 'running' || r.status === 'failed') q[r.status] = Number(r.n);
      }
      return out;
    },
    async nextDue(queue) {
      const { rows } = await sql.query<{ due: Date | string | null }>(NEXT_DUE, [queue]);
      return rows[0]?.due ? new Date(rows[0].due) : null;
    },
  };
}
