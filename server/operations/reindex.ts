/**
 * $reindex (system and type level) and $reindex-status: re-extracts the search index of stored
 * resources (after a custom SearchParameter was added or changed) as a resumable background job,
 * following the async request pattern — https://hl7.org/fhir/R4/async.html
 *
 *   POST /fhir/$reindex | POST /fhir/{type}/$reindex  → 202, Content-Location: …/$reindex-status?job=ID
 *   GET  /fhir/$reindex-status?job=ID                  → 202 + X-Progress while running, 200 when over
 *
 * The job lives in PostgreSQL (reindex_job); the runner of every server processes open jobs batch by
 * batch (one transaction each, the job row locked with SKIP LOCKED), so a restart resumes a job
 * and concurrent servers never process the same batch.
 */
import type { Parameters, ParametersParameter } from 'fhir/r4';
import { badRequest, notFound, operationOutcome } from '../core/fhir-error';
import type { OperationSpec } from '../rest/deps';
import { checkType } from '../rest/resource-body';
import type { ReindexJob, ResourceStore } from '../store/types';

export interface ReindexLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ReindexRunnerOptions {
  store: ResourceStore;
  logger: ReindexLogger;
  /** Look for open jobs (other servers', or left by a restart) this often (ms). */
  pollMs?: number;
  /** Resources per batch (one transaction). */
  batchSize?: number;
  /** Consecutive failed batches before a job is marked failed. */
  maxAttempts?: number;
  /** Runs before each batch: brings the registry up to date with SearchParameters other servers stored. */
  beforeBatch?: () => Promise<void>;
}

export interface ReindexRunner {
  /** Looks for work now (a job was just created). */
  wake(): void;
  /** Stops: no new batch starts; waits for the current one. */
  close(): Promise<void>;
}

/**
 * Batches of one job until it is over, failed, held by another server, or the runner closes. A
 * failed batch is recorded (the job fails after maxAttempts) and retried on a later poll.
 */
async function drain(opts: ReindexRunnerOptions, id: string, closed: () => boolean): Promise<void> {
  const { store, logger } = opts;
  while (!closed()) {
    let job: ReindexJob | null;
    try {
      await opts.beforeBatch?.();
      job = await store.searchIndex.reindexBatch(id, opts.batchSize ?? 500);
    } catch (err) {
      logger.warn({ job: id, err }, 'reindex batch failed; will retry');
      await store.searchIndex.reindexBatchFailed(id, err instanceof Error ? err.message : String(err), opts.maxAttempts ?? 5);
      return;
    }
    if (!job) return;
    if (job.status === 'completed') logger.info({ job: id, processed: job.processed }, 'reindex job completed');
    if (job.status !== 'running') return;
    await new Promise((resolve) => setImmediate(resolve)); // let requests run between batches
  }
}

/** Starts the background runner; it immediately picks up jobs left unfinished. */
export function startReindexRunner(opts: ReindexRunnerOptions): ReindexRunner {
  let closed = false;
  let running: Promise<void> | undefined;
  let again = false;
  const tick = async (): Promise<void> => {
    for (const id of await opts.store.searchIndex.openReindexJobs()) {
      if (closed) return;
      await drain(opts, id, () => closed);
    }
  };
  // One pass at a time; a wake during a pass schedules another right after it.
  const run = (): void => {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = tick()
      .catch((err: unknown) => opts.logger.warn({ err }, 'reindex runner failed; will retry'))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          run();
        }
      });
  };
  const timer = setInterval(run, opts.pollMs ?? 5000);
  timer.unref();
  run();
  return {
    wake: run,
    async close() {
      closed = true;
      clearInterval(timer);
      await running;
    },
  };
}

function jobParameters(job: ReindexJob): Parameters {
  const p: ParametersParameter[] = [
    { name: 'job', valueString: job.id },
    { name: 'status', valueCode: job.status },
    { name: 'scope', valueString: job.resourceType ?? 'system' },
    { name: 'processed', valueInteger: job.processed },
    { name: 'total', valueInteger: job.total },
    { name: 'progress', valueDecimal: job.total > 0 ? Math.min(100, Math.round((1000 * job.processed) / job.total) / 10) : 100 },
    { name: 'cursor', valueString: job.cursor },
    { name: 'created', valueInstant: job.createdAt.toISOString() },
    { name: 'updated', valueInstant: job.updatedAt.toISOString() },
  ];
  if (job.completedAt) p.push({ name: 'completed', valueInstant: job.completedAt.toISOString() });
  if (job.error) p.push({ name: 'error', valueString: job.error });
  return { resourceType: 'Parameters', parameter: p };
}

/** $reindex and $reindex-status, bound to the runner that processes the jobs. */
export function reindexOperations(runner: ReindexRunner): OperationSpec[] {
  const reindex: OperationSpec = {
    name: 'reindex',
    definition: 'https://twinfhir.org/fhir/OperationDefinition/reindex',
    scopes: ['system', 'type'],
    methods: ['POST'],
    affectsState: true,
    async handler(deps, req, target, exec) {
      if (exec.inTransaction) throw badRequest('$reindex cannot run inside a transaction Bundle');
      const type = target.resourceType ? checkType(deps, target.resourceType) : undefined;
      const job = await deps.store.searchIndex.createReindexJob(deps.ids.newId(), type);
      runner.wake();
      const status = `${req.baseUrl}/$reindex-status?job=${encodeURIComponent(job.id)}`;
      const what = type ? `${type} resources` : 'all resources';
      return {
        status: 202,
        headers: { 'Content-Location': status },
        body: operationOutcome([{ severity: 'information', code: 'informational', diagnostics: `Reindex job ${job.id} of ${what} (${job.total}) accepted; progress at ${status}` }]),
      };
    },
  };
  const status: OperationSpec = {
    name: 'reindex-status',
    definition: 'https://twinfhir.org/fhir/OperationDefinition/reindex-status',
    scopes: ['system'],
    methods: ['GET'],
    affectsState: false,
    async handler(deps, req) {
      const id = req.query.find(([k]) => k === 'job')?.[1];
      if (!id) throw badRequest("$reindex-status needs the parameter 'job'", ['job']);
      const job = await deps.store.searchIndex.getReindexJob(id);
      if (!job) throw notFound(`No reindex job '${id.slice(0, 80)}'`);
      const open = job.status === 'queued' || job.status === 'running';
      const headers: Record<string, string> = open ? { 'X-Progress': `${job.processed} of ${job.total} resources` } : {};
      return { status: open ? 202 : 200, headers, body: jobParameters(job) };
    },
  };
  return [reindex, status];
}
