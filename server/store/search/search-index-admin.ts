/**
 * Search-index maintenance in SQL (SearchIndexAdmin): the stored SearchParameters, and $reindex
 * jobs (table reindex_job, 003; each queued on the job runner's 'reindex' queue with its row, 007). A batch is one transaction: lock the job row (SKIP LOCKED: a job
 * another server is working on is skipped), read the next resources after the cursor FOR SHARE (a
 * concurrent update waits, so an older version never overwrites newer index rows), extract,
 * replace their index rows and patient compartments (migration 010), advance the cursor.
 */
import type { Resource, SearchParameter } from 'fhir/r4';
import type { Clock } from '../../core/clock';
import type { SearchRegistry } from '../../search/registry';
import type { SqlDriver, SqlExecutor } from '../sql';
import { REINDEX_JOB_ATTEMPTS, REINDEX_QUEUE, type ReindexJob, type SearchIndexAdmin } from '../types';
import { replaceIndexRows } from './index-writer';
import { patientCompartmentsOf } from '../../search/patient-compartment';
import { textOwnershipOf } from '../../search/text-ownership';

interface JobRow {
  id: string; res_type: string | null; status: ReindexJob['status']; cursor_rid: string; upto_rid: string | null; processed: string; total: string;
  error: string | null; created_at: Date | string; updated_at: Date | string; completed_at: Date | string | null;
}

const COLUMNS = `id, res_type, status, cursor_rid::text AS cursor_rid, upto_rid::text AS upto_rid, processed::text AS processed, total::text AS total,
  error, created_at, updated_at, completed_at`;

function toJob(r: JobRow): ReindexJob {
  return {
    id: r.id,
    ...(r.res_type ? { resourceType: r.res_type } : {}),
    status: r.status,
    cursor: r.cursor_rid,
    processed: Number(r.processed),
    total: Number(r.total),
    ...(r.error ? { error: r.error } : {}),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    ...(r.completed_at ? { completedAt: new Date(r.completed_at) } : {}),
  };
}

interface BatchRow { rid: string; res_type: string; content: Resource }

/**
 * The next live resources of the job's scope after its cursor, up to the largest rid when the job was
 * created (later resources were indexed by their own write), locked against concurrent updates.
 */
async function nextBatch(tx: SqlExecutor, job: JobRow, batchSize: number): Promise<BatchRow[]> {
  // ORDER BY r.rid (the bigint), not the text output column of the same name.
  const bounded = `r.rid > $1::bigint AND ($3::bigint IS NULL OR r.rid <= $3::bigint) AND r.deleted = false`;
  const text = job.res_type
    ? `SELECT r.rid::text AS rid, r.res_type, r.content FROM resource r WHERE r.res_type = $4 AND ${bounded} ORDER BY r.rid LIMIT $2 FOR SHARE`
    : `SELECT r.rid::text AS rid, r.res_type, r.content FROM resource r WHERE ${bounded} ORDER BY r.rid LIMIT $2 FOR SHARE`;
  const params = job.res_type ? [job.cursor_rid, batchSize, job.upto_rid, job.res_type] : [job.cursor_rid, batchSize, job.upto_rid];
  return (await tx.query<BatchRow>(text, params)).rows;
}

async function reindexBatch(driver: SqlDriver, registry: SearchRegistry, clock: Clock, id: string, batchSize: number): Promise<ReindexJob | null> {
  return driver.transaction(async (tx) => {
    const locked = await tx.query<JobRow>(`SELECT ${COLUMNS} FROM reindex_job WHERE id = $1 AND status IN ('queued', 'running') FOR UPDATE SKIP LOCKED`, [id]);
    const job = locked.rows[0];
    if (!job) return null;
    const rows = await nextBatch(tx, job, batchSize);
    const items = rows.map((r) => {
      const values = registry.extract(r.content);
      return { rid: r.rid, resourceType: r.res_type, values, text: textOwnershipOf(registry, r.content, values) };
    });
    await replaceIndexRows(tx, items);
    // The compartments follow the index values: the current row's and its current version's in history.
    await tx.query(
      `WITH u AS (SELECT k::bigint AS rid, ARRAY(SELECT jsonb_array_elements_text(p::jsonb)) AS patients FROM unnest($1::text[], $2::text[]) AS x(k, p)),
       cur AS (UPDATE resource r SET patients = u.patients FROM u WHERE r.rid = u.rid RETURNING r.res_type, r.id, r.version, r.patients)
       UPDATE resource_history h SET patients = cur.patients FROM cur WHERE h.res_type = cur.res_type AND h.id = cur.id AND h.version = cur.version`,
      [items.map((i) => i.rid), rows.map((r, i) => JSON.stringify(patientCompartmentsOf(registry, r.content, items[i].values)))],
    );
    const done = rows.length < batchSize;
    const now = clock.now();
    const updated = await tx.query<JobRow>(
      `UPDATE reindex_job SET cursor_rid = $2::bigint, processed = processed + $3, status = $4, attempts = 0, error = NULL,
         updated_at = $5, completed_at = $6 WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, rows.length ? rows[rows.length - 1].rid : job.cursor_rid, rows.length, done ? 'completed' : 'running', now, done ? now : null],
    );
    return toJob(updated.rows[0]);
  });
}

export function createSearchIndexAdmin(driver: SqlDriver, registry: SearchRegistry, clock: Clock): SearchIndexAdmin {
  return {
    async listSearchParameters() {
      const { rows } = await driver.query<{ content: SearchParameter & { id: string } }>(
        'SELECT content FROM resource WHERE res_type = $1 AND deleted = false ORDER BY rid', ['SearchParameter'],
      );
      return rows.map((r) => r.content);
    },
    async searchParameterVersion() {
      // Rows are never removed and every change bumps a version: count + sum changes on each write.
      const { rows } = await driver.query<{ v: string }>(
        `SELECT count(*)::text || ':' || coalesce(sum(version), 0)::text AS v FROM resource WHERE res_type = $1`, ['SearchParameter'],
      );
      return rows[0]?.v ?? '0:0';
    },
    async createReindexJob(id, resourceType) {
      const now = clock.now();
      // One statement: the job row and its runner job exist together or not at all.
      const { rows } = await driver.query<JobRow>(
        `WITH r AS (
           INSERT INTO reindex_job (id, res_type, status, total, upto_rid, created_at, updated_at)
           SELECT $1, $2::text, 'queued', count(*) FILTER (WHERE deleted = false), coalesce(max(rid), 0), $3, $3
           FROM resource WHERE $2::text IS NULL OR res_type = $2::text
           RETURNING ${COLUMNS}),
         q AS (
           INSERT INTO job (queue, job_key, payload, status, max_attempts, run_at, created_at, updated_at)
           SELECT $4, id, jsonb_build_object('reindexJobId', id), 'waiting', $5, clock_timestamp(), clock_timestamp(), clock_timestamp() FROM r)
         SELECT * FROM r`,
        [id, resourceType ?? null, now, REINDEX_QUEUE, REINDEX_JOB_ATTEMPTS],
      );
      return toJob(rows[0]);
    },
    async getReindexJob(id) {
      const { rows } = await driver.query<JobRow>(`SELECT ${COLUMNS} FROM reindex_job WHERE id = $1`, [id]);
      return rows[0] ? toJob(rows[0]) : null;
    },
    async openReindexJobs() {
      const { rows } = await driver.query<{ id: string }>(`SELECT id FROM reindex_job WHERE status IN ('queued', 'running') ORDER BY created_at, id`);
      return rows.map((r) => r.id);
    },
    reindexBatch: (id, batchSize) => reindexBatch(driver, registry, clock, id, batchSize),
    async reindexBatchFailed(id, error, maxAttempts) {
      await driver.query(
        `UPDATE reindex_job SET attempts = attempts + 1, error = $2, updated_at = $4,
           status = CASE WHEN attempts + 1 >= $3 THEN 'failed' ELSE status END
         WHERE id = $1 AND status IN ('queued', 'running')`,
        [id, error.slice(0, 2000), maxAttempts, clock.now()],
      );
    },
  };
}
