/**
 * Bulk Data `$export` in SQL (table export_job, migration 008): jobs with their per-type progress, and the
 * keyset-paged reads a job streams from (export-select.ts: one type at a time, as of the transactionTime).
 */
import type { Resource } from 'fhir/r4';
import type { AccessContext } from '../core/access-context';
import type { SearchRegistry } from '../search/registry';
import type { TerminologyCache } from '../search/terminology-cache';
import { selectExportRows } from './export-select';
import { enqueueJob } from './job-queue';
import { maskResources } from './read-mask';
import { hasHeaders, maskSubscriptionHeaders } from '../core/subscription-headers';
import type { SqlDriver, SqlExecutor, SqlParam } from './sql';
import type { ReadPolicy } from './types';
import { EXPORT_QUEUE, type BulkExportStore, type ExportJobRecord, type ExportProgress, type ExportRow, type ExportSelection, type NewExportJob } from './export-types';

interface JobRow {
  id: string; client_id: string; patient: string | null; status: ExportJobRecord['status']; request_url: string;
  params: Record<string, unknown>; transaction_time: Date | string; progress: ExportProgress; error: string | null;
  created_at: Date | string; updated_at: Date | string; completed_at: Date | string | null; expires_at: Date | string | null;
}

const COLUMNS = 'id, client_id, patient, status, request_url, params, transaction_time, progress, error, created_at, updated_at, completed_at, expires_at';

const toRecord = (r: JobRow): ExportJobRecord => ({
  id: r.id, clientId: r.client_id, ...(r.patient !== null ? { patient: r.patient } : {}), status: r.status, requestUrl: r.request_url,
  params: r.params, transactionTime: new Date(r.transaction_time), progress: r.progress,
  ...(r.error !== null ? { error: r.error } : {}), createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
  ...(r.completed_at !== null ? { completedAt: new Date(r.completed_at) } : {}), ...(r.expires_at !== null ? { expiresAt: new Date(r.expires_at) } : {}),
});

/** Rows with other patients' references masked; a row with nothing to mask keeps its stored text. */
async function maskRows(sql: SqlExecutor, registry: SearchRegistry, mask: NonNullable<ExportSelection['mask']>, rows: ExportRow[]): Promise<ExportRow[]> {
  const parsed = rows.map((r) => JSON.parse(r.json) as Resource);
  const masked = await maskResources(sql, registry, mask, parsed);
  return rows.map((r, i) => (masked[i] === parsed[i] ? r : { rid: r.rid, json: JSON.stringify(masked[i]) }));
}

/**
 * Subscription rows with every header value masked, whoever exports: an export is a data extract written to
 * files that outlive the request (and runs as the server, not as the subscription's author), so receivers'
 * credentials never go into one (core/subscription-headers.ts).
 */
function maskExportHeaders(rows: ExportRow[]): ExportRow[] {
  return rows.map((r) => {
    const parsed = JSON.parse(r.json) as Resource;
    return hasHeaders(parsed) ? { rid: r.rid, json: JSON.stringify(maskSubscriptionHeaders(parsed)) } : r;
  });
}

export interface BulkExportDeps {
  driver: SqlDriver;
  registry: SearchRegistry;
  readPolicy: ReadPolicy;
  terminologyCache?: TerminologyCache;
}

export function createBulkExportStore(d: BulkExportDeps): BulkExportStore {
  const { driver } = d;
  const one = async (text: string, params: SqlParam[]): Promise<ExportJobRecord | null> => {
    const { rows } = await driver.query<JobRow>(text, params);
    return rows[0] ? toRecord(rows[0]) : null;
  };
  return {
    async createJob(job: NewExportJob, maxAttempts: number) {
      return driver.transaction(async (tx) => {
        const { rows } = await tx.query<JobRow>(
          `INSERT INTO export_job (id, client_id, patient, status, request_url, params, transaction_time, progress, created_at, updated_at)
           VALUES ($1, $2, $3, 'queued', $4, $5::jsonb, $6::timestamptz, $7::jsonb, clock_timestamp(), clock_timestamp()) RETURNING ${COLUMNS}`,
          [job.id, job.clientId, job.patient ?? null, job.requestUrl, JSON.stringify(job.params), job.transactionTime.toISOString(), JSON.stringify(job.progress)],
        );
        await enqueueJob(tx, { queue: EXPORT_QUEUE, key: `run:${job.id}`, payload: { exportId: job.id, action: 'run' }, maxAttempts });
        return toRecord(rows[0]);
      });
    },
    getJob: (id) => one(`SELECT ${COLUMNS} FROM export_job WHERE id = $1`, [id]),
    async saveProgress(id, progress) {
      const { rows } = await driver.query(
        "UPDATE export_job SET progress = $2::jsonb, status = 'running', updated_at = clock_timestamp() WHERE id = $1 AND status IN ('queued', 'running') RETURNING id",
        [id, JSON.stringify(progress)],
      );
      return rows.length > 0;
    },
    async finish(id, o) {
      return driver.transaction(async (tx) => {
        const { rows } = await tx.query(
          `UPDATE export_job SET status = $2, error = $3, progress = $4::jsonb, expires_at = $5::timestamptz, updated_at = clock_timestamp(), completed_at = clock_timestamp()
           WHERE id = $1 AND status IN ('queued', 'running') RETURNING id`,
          [id, o.status, o.error ?? null, JSON.stringify(o.progress), o.expiresAt.toISOString()],
        );
        if (!rows.length) return false;
        await enqueueJob(tx, { queue: EXPORT_QUEUE, key: `expire:${id}`, payload: { exportId: id, action: 'expire' }, runAt: o.expiresAt, maxAttempts: 20 });
        return true;
      });
    },
    async deleteJob(id) {
      const { rows } = await driver.query('DELETE FROM export_job WHERE id = $1 RETURNING id', [id]);
      return rows.length > 0;
    },
    async rows(ctx: AccessContext, selection, afterRid, limit) {
      await d.readPolicy.check(ctx, { interaction: 'search', resourceTypes: [...new Set([selection.resourceType, ...(selection.associated?.targets ?? []).map((t) => t.resourceType)])] });
      const rows = await selectExportRows(driver, d, ctx, selection, afterRid, limit);
      const masked = selection.mask ? await maskRows(driver, d.registry, selection.mask, rows) : rows;
      return selection.resourceType === 'Subscription' ? maskExportHeaders(masked) : masked;
    },
  };
}
