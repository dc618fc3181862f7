/**
 * The 'bulk-export' queue of the one job runner: a 'run' job streams an export job's types to NDJSON files
 * (pipeline.ts), pausing between pages at shutdown and resuming from its committed progress on any server;
 * an 'expire' job, queued at completion to run at the expiry time, deletes the job and its files.
 */
import type { Logger } from '../../core/logger';
import { FhirError } from '../../core/fhir-error';
import type { JobLease, QueueHandler } from '../../jobs/types';
import type { SearchRegistry } from '../../search/registry';
import { EXPORT_QUEUE, type ExportJobRecord, type ResourceStore, type StoreReader } from '../../store/types';
import { jobDir, removeJobFiles } from './files';
import { jobContext, jobParams, selectionFor } from './job-params';
import { pageEncoder } from './page-encoder';
import { runPipeline } from './pipeline';
import type { ResearchExportDeps } from './research-transform';
import { recipeOf } from './transform-recipe';
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import { fileName } from './files';

export interface ExportQueueOptions {
  store: Pick<ResourceStore, 'bulkExport' | 'transaction'>;
  registry: SearchRegistry;
  logger: Pick<Logger, 'info' | 'warn'>;
  dir: string;
  retentionMs: number;
  pageSize: number;
  /** Resources per output file (EXPORT_MAX_FILE_RESOURCES; 0: one file per type). */
  maxFileResources: number;
  /** Export jobs run at once in this process (0 under ROLE=server). */
  workers: number;
  /** What `_pseudonymize` jobs rebuild their transform from (profiles, key) and read Consents with. */
  research: ResearchExportDeps & { reader: StoreReader };
  /** Heap cap (MB) of the worker thread a transformed export encodes in; 0 = in the runner's thread. */
  transformHeapMb: number;
  now(): Date;
}

const complete = (o: ExportQueueOptions, lease: JobLease): Promise<void> => o.store.transaction((tx) => lease.complete(tx));

/** Empty types get no file (the manifest lists only types with resources). */
async function dropEmptyFiles(o: ExportQueueOptions, job: ExportJobRecord): Promise<void> {
  for (const t of job.progress.types) if (t.lines === 0) await unlink(path.join(jobDir(o.dir, job.id), fileName(t.type))).catch(() => undefined);
}

async function runExport(o: ExportQueueOptions, lease: JobLease, id: string): Promise<string> {
  const job = await o.store.bulkExport.getJob(id);
  if (!job) {
    await removeJobFiles(o.dir, id);
    await complete(o, lease);
    return 'cancelled';
  }
  if (job.status === 'completed' || job.status === 'failed') {
    await complete(o, lease);
    return job.status;
  }
  const p = jobParams(job);
  const recipe = await recipeOf(o.research.reader, o.research, job);
  const excluded = new Map(recipe?.excludedPatients ?? []);
  if (excluded.size) job.progress.excludedPatients = countReasons(excluded, p.cohort);
  const encoder = pageEncoder(recipe, o.research, o.transformHeapMb);
  let outcome;
  try {
    outcome = await runPipeline({
      store: o.store, ctx: jobContext(job), jobId: id, dir: jobDir(o.dir, id), pageSize: o.pageSize, maxFileResources: o.maxFileResources, progress: job.progress,
      selectionFor: selectionFor(o.registry, job, excluded), encoder, signal: lease.signal,
    });
  } finally {
    await encoder.close();
  }
  if (outcome === 'paused') {
    await lease.release();
    return 'paused';
  }
  if (outcome === 'cancelled' || !(await o.store.bulkExport.finish(id, { status: 'completed', progress: job.progress, expiresAt: expiry(o) }))) {
    await removeJobFiles(o.dir, id);
    await complete(o, lease);
    return 'cancelled';
  }
  await dropEmptyFiles(o, job);
  await complete(o, lease);
  o.logger.info({ export: id, resources: job.progress.types.reduce((n, t) => n + t.lines, 0) }, 'export completed');
  return 'completed';
}

/** Excluded patients of the cohort by reason (all of them for a system-level export). */
function countReasons(excluded: ReadonlyMap<string, string>, cohort: string[] | '*' | undefined): Record<string, number> {
  const inCohort = Array.isArray(cohort) ? new Set(cohort) : undefined;
  const out: Record<string, number> = {};
  for (const [id, reason] of excluded) if (!inCohort || inCohort.has(id)) out[reason] = (out[reason] ?? 0) + 1;
  return out;
}

const expiry = (o: ExportQueueOptions): Date => new Date(o.now().getTime() + o.retentionMs);

// Files first, then the row: once the status URL answers 404 the files are gone too, and a crash between the two
// leaves a row whose expire job runs again (removing absent files is a no-op) rather than orphaned files.
async function expire(o: ExportQueueOptions, lease: JobLease, id: string): Promise<string> {
  await removeJobFiles(o.dir, id);
  await o.store.bulkExport.deleteJob(id);
  await complete(o, lease);
  return 'expired';
}

export function exportQueue(o: ExportQueueOptions): QueueHandler {
  return {
    queue: EXPORT_QUEUE, workers: o.workers, leaseMs: 60_000, pollMs: 5_000, backoff: { baseMs: 2_000, maxMs: 60_000 },
    async run(lease) {
      const { exportId, action } = lease.job.payload;
      if (typeof exportId !== 'string' || (action !== 'run' && action !== 'expire')) {
        await lease.fail('malformed export job payload');
        return 'failed';
      }
      return action === 'expire' ? expire(o, lease, exportId) : runExport(o, lease, exportId);
    },
    classify: (err) => ({ permanent: err instanceof FhirError && err.status < 500 }),
    async giveUp(lease, reason) {
      const id = lease.job.payload.exportId;
      const job = typeof id === 'string' ? await o.store.bulkExport.getJob(id) : null;
      if (job && typeof id === 'string') await o.store.bulkExport.finish(id, { status: 'failed', error: reason, progress: job.progress, expiresAt: expiry(o) });
      await lease.fail(reason);
    },
  };
}
