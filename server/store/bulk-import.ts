/**
 * Bulk $import jobs in SQL (migration 014): the job row with its checkpoint, uploaded NDJSON in 1 MiB
 * chunks, and per-line errors. Each batch's resources, its errors, its counts and the next checkpoint
 * commit in one transaction holding the job row, so a restart resumes exactly after the last batch.
 */
import { enqueueJob } from './job-queue';
import type { SqlExecutor } from './sql';
import {
  IMPORT_QUEUE,
  type BulkImportJob, type BulkImportStore, type ImportBatchResult, type ImportCheckpoint, type ImportStatus, type NewImportJob, type StoreWriter,
} from './types';
import type { Writer } from './writer';

/** Uploaded inputs are stored in chunks of this size (the last one shorter): a byte offset names its chunk. */
export const UPLOAD_CHUNK_BYTES = 1024 * 1024;

interface JobRow {
  id: string; client_id: string; status: ImportStatus; request: string; inputs: BulkImportJob['inputs']; context: Record<string, unknown>;
  input_index: number; byte_offset: string | number; line_number: string | number; counts: Record<string, number>; error_count: number;
  error: string | null; created_at: Date | string; updated_at: Date | string; completed_at: Date | string | null;
}

const toJob = (r: JobRow): BulkImportJob => ({
  id: r.id, clientId: r.client_id, status: r.status, request: r.request, inputs: r.inputs, context: r.context,
  checkpoint: { input: Number(r.input_index), offset: Number(r.byte_offset), line: Number(r.line_number) },
  counts: r.counts, errorCount: Number(r.error_count), ...(r.error !== null ? { error: r.error } : {}),
  createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at), ...(r.completed_at !== null ? { completedAt: new Date(r.completed_at) } : {}),
});

/** Runs fn in a store transaction with both the writer (hooks run) and its SQL executor. */
export type WriterTransaction = <T>(fn: (tx: Writer, sql: SqlExecutor) => Promise<T>) => Promise<T>;

const SELECT = 'SELECT * FROM bulk_import_job WHERE id = $1';

/** Streams an upload into fixed-size chunks (so an offset maps to a chunk) with bounded memory. */
async function storeUpload(sql: SqlExecutor, jobId: string, input: number, bytes: AsyncIterable<Uint8Array>): Promise<void> {
  let seq = 0;
  let parts: Buffer[] = [];
  let size = 0;
  const write = async (chunk: Buffer): Promise<void> => {
    // As base64 text: a bytea parameter costs PGlite ~1 s per MiB to encode, base64 ~0.1 s.
    await sql.query("INSERT INTO bulk_import_chunk (job_id, input, seq, data) VALUES ($1, $2, $3, decode($4, 'base64'))", [jobId, input, seq++, chunk.toString('base64')]);
  };
  for await (const piece of bytes) {
    parts.push(Buffer.from(piece));
    size += piece.length;
    while (size >= UPLOAD_CHUNK_BYTES) {
      const all = Buffer.concat(parts);
      await write(all.subarray(0, UPLOAD_CHUNK_BYTES));
      parts = [all.subarray(UPLOAD_CHUNK_BYTES)];
      size = all.length - UPLOAD_CHUNK_BYTES;
    }
  }
  if (size > 0) await write(Buffer.concat(parts));
}

async function insertErrors(sql: SqlExecutor, id: string, first: number, errors: string[]): Promise<void> {
  if (!errors.length) return;
  await sql.query(
    'INSERT INTO bulk_import_error (job_id, seq, outcome) SELECT $1, $2::int + o - 1, e FROM unnest($3::text[]) WITH ORDINALITY AS u(e, o)',
    [id, first, errors],
  );
}

function sameCheckpoint(job: BulkImportJob, from: ImportCheckpoint): boolean {
  return job.checkpoint.input === from.input && job.checkpoint.offset === from.offset && job.checkpoint.line === from.line;
}

async function get(sql: SqlExecutor, id: string, lock = false): Promise<BulkImportJob | null> {
  const { rows } = await sql.query<JobRow>(lock ? `${SELECT} FOR UPDATE` : SELECT, [id]);
  return rows[0] ? toJob(rows[0]) : null;
}

async function createJob(tx: StoreWriter, sql: SqlExecutor, job: NewImportJob, uploads: AsyncIterable<Uint8Array>[]): Promise<BulkImportJob> {
  await sql.query(
    `INSERT INTO bulk_import_job (id, client_id, status, request, inputs, context, created_at, updated_at)
     VALUES ($1, $2, 'queued', $3, $4::jsonb, $5::jsonb, clock_timestamp(), clock_timestamp())`,
    [job.id, job.clientId, job.request, JSON.stringify(job.inputs), JSON.stringify(job.context)],
  );
  for (const [i, bytes] of uploads.entries()) await storeUpload(sql, job.id, i, bytes);
  // Attempts are for crashes mid-batch; refused lines never fail the job.
  await tx.enqueueJob({ queue: IMPORT_QUEUE, key: job.id, payload: { importJobId: job.id }, maxAttempts: 20 });
  return (await get(sql, job.id)) as BulkImportJob;
}

async function runBatch(tx: StoreWriter, sql: SqlExecutor, id: string, from: ImportCheckpoint, fn: (tx: StoreWriter) => Promise<ImportBatchResult>): Promise<'written' | 'moved'> {
  const job = await get(sql, id, true);
  if (!job || job.status !== 'running' || !sameCheckpoint(job, from)) return 'moved';
  const r = await fn(tx);
  await insertErrors(sql, id, job.errorCount, r.errors);
  const counts = { ...job.counts };
  for (const [type, n] of Object.entries(r.counts)) counts[type] = (counts[type] ?? 0) + n;
  await sql.query(
    `UPDATE bulk_import_job SET input_index = $2, byte_offset = $3, line_number = $4, counts = $5::jsonb,
       error_count = error_count + $6, updated_at = clock_timestamp() WHERE id = $1`,
    [id, r.next.input, r.next.offset, r.next.line, JSON.stringify(counts), r.errors.length],
  );
  return 'written';
}

/** The runner job that removes an ended import job (and, by cascade, its errors) once it expires. */
const enqueueExpiry = (sql: SqlExecutor, id: string, runAt: Date): Promise<void> =>
  enqueueJob(sql, { queue: IMPORT_QUEUE, key: `expire:${id}`, payload: { importJobId: id, action: 'expire' }, runAt, maxAttempts: 20 });

export function createBulkImportStore(db: SqlExecutor, transact: WriterTransaction): BulkImportStore {
  return {
    create: (job: NewImportJob, uploads: AsyncIterable<Uint8Array>[] = []) => transact((tx, sql) => createJob(tx, sql, job, uploads)),
    get: (id) => get(db, id),
    async *readUpload(id, input, offset) {
      let seq = Math.floor(offset / UPLOAD_CHUNK_BYTES);
      let skip = offset % UPLOAD_CHUNK_BYTES;
      for (;;) {
        const { rows } = await db.query<{ data: string }>("SELECT encode(data, 'base64') AS data FROM bulk_import_chunk WHERE job_id = $1 AND input = $2 AND seq = $3", [id, input, seq++]);
        if (!rows[0]) return;
        const data = Buffer.from(rows[0].data, 'base64'); // Node skips the line breaks PostgreSQL's encode() adds
        yield skip ? data.subarray(skip) : data;
        skip = 0;
      }
    },
    batch: (id, from, fn) => transact((tx, sql) => runBatch(tx, sql, id, from, fn)),
    async start(id) {
      const { rows } = await db.query(
        "UPDATE bulk_import_job SET status = 'running', updated_at = clock_timestamp() WHERE id = $1 AND status IN ('queued', 'running') RETURNING id", [id]);
      return rows.length > 0;
    },
    finish: (id, outcome, complete) => transact(async (tx: StoreWriter, sql) => {
      const { rows } = await sql.query(
        `UPDATE bulk_import_job SET status = $2, error = $3, completed_at = clock_timestamp(), updated_at = clock_timestamp()
         WHERE id = $1 AND status IN ('queued', 'running') RETURNING id`,
        [id, outcome.status, outcome.error?.slice(0, 2000) ?? null],
      );
      if (rows.length) await enqueueExpiry(sql, id, outcome.expiresAt);
      // The uploaded bytes are no longer needed once every line is read.
      await sql.query('DELETE FROM bulk_import_chunk WHERE job_id = $1', [id]);
      await complete(tx);
    }),
    cancel: (id, expiresAt) => transact(async (_tx, sql) => {
      const { rows } = await sql.query(
        `UPDATE bulk_import_job SET status = 'cancelled', completed_at = clock_timestamp(), updated_at = clock_timestamp()
         WHERE id = $1 AND status IN ('queued', 'running') RETURNING id`, [id]);
      if (rows.length) {
        await sql.query('DELETE FROM bulk_import_chunk WHERE job_id = $1', [id]);
        await enqueueExpiry(sql, id, expiresAt);
        return true;
      }
      // An ended job: DELETE removes it with its error file (its status URL then answers 404).
      const gone = await sql.query('DELETE FROM bulk_import_job WHERE id = $1 RETURNING id', [id]);
      return gone.rows.length > 0;
    }),
    async remove(id) {
      const { rows } = await db.query('DELETE FROM bulk_import_job WHERE id = $1 RETURNING id', [id]);
      return rows.length > 0;
    },
    async errors(id, afterSeq, limit) {
      const { rows } = await db.query<{ seq: number; outcome: string }>(
        'SELECT seq, outcome FROM bulk_import_error WHERE job_id = $1 AND seq > $2 ORDER BY seq LIMIT $3', [id, afterSeq, limit]);
      return rows.map((r) => ({ seq: Number(r.seq), outcome: r.outcome }));
    },
  };
}
