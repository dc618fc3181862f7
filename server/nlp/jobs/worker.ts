/**
 * The extraction worker: claims 'nlp' jobs from PostgreSQL under a lease (a crashed worker's job is taken
 * over once its lease expires), runs the engine outside any transaction while renewing the lease, then
 * writes findings, Task completion and job completion in ONE transaction — so a job whose lease was taken
 * over cannot write twice. Transient failures retry with backoff; permanent ones fail the Task with a reason.
 */
import type { Task } from 'fhir/r4';
import { type AccessContext, systemContext } from '../../core/access-context';
import { FhirError } from '../../core/fhir-error';
import type { Job, StoreReader } from '../../store/types';
import { PermanentExtractionError, TransientExtractionError } from '../errors';
import { retryDelayMs, type BackoffOptions } from './backoff';
import { prepareExtraction } from './prepare';
import type { ExtractionServices } from './services';
import { NLP_QUEUE, changeTask, isExtractionPayload } from './task';
import { writeExtraction } from './write';

export interface WorkerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface NlpWorkerOptions {
  services: ExtractionServices;
  logger: WorkerLogger;
  /** Jobs processed at once in this process. */
  concurrency: number;
  /** Unique per process: the lease owner. */
  owner: string;
  leaseMs: number;
  /** Idle poll interval (jobs of other servers, retries that became due). */
  pollMs: number;
  backoff: BackoffOptions;
}

export interface NlpWorker {
  wake(): void;
  /** Stops claiming; waits for jobs in flight (their leases would otherwise have to expire). */
  close(): Promise<void>;
}

type Outcome = 'completed' | 'failed' | 'retry' | 'cancelled' | 'lost';

/** Reads through `reader`: inside a transaction it must be the transaction (PGlite has one connection). */
async function readTask(reader: StoreReader, ctx: AccessContext, id: string): Promise<(Task & { id: string }) | null> {
  const st = await reader.read(ctx, 'Task', id);
  return st && !st.deleted && st.resource ? (st.resource as Task & { id: string }) : null;
}

/** Ends a job without results: the Task records why, in the transaction that completes the job. */
async function finish(s: ExtractionServices, ctx: AccessContext, job: Job, owner: string, status: 'failed' | 'cancelled', reason: string): Promise<void> {
  await s.store.transaction(async (tx) => {
    await tx.completeJob(job.id, owner);
    const task = await readTask(tx, ctx, String(job.payload.taskId));
    if (task && (task.status === 'requested' || task.status === 'in-progress')) await tx.update(ctx, changeTask(task, { status, reason }, s.clock.now()));
  });
}

const isTransient = (err: unknown): boolean =>
  err instanceof TransientExtractionError || (err instanceof FhirError && (err.status === 503 || err.status === 409));

async function processJob(o: NlpWorkerOptions, job: Job): Promise<Outcome> {
  const s = o.services;
  const ctx = systemContext(`nlp-job-${job.id}`);
  const payload = job.payload;
  if (!isExtractionPayload(payload)) {
    await s.store.jobs.fail(job.id, o.owner, 'malformed job payload');
    return 'failed';
  }
  if (job.attempts > job.maxAttempts) {
    await finish(s, ctx, job, o.owner, 'failed', `gave up after ${job.maxAttempts} attempts (the worker stopped during extraction each time)`);
    return 'failed';
  }
  const task = await readTask(s.store, ctx, payload.taskId);
  const doc = await s.store.read(ctx, 'DocumentReference', payload.documentId);
  if (!task || task.status === 'completed' || task.status === 'cancelled' || task.status === 'failed') {
    await s.store.transaction((tx) => tx.completeJob(job.id, o.owner));
    return 'cancelled';
  }
  if (!doc || doc.deleted || doc.versionId !== payload.documentVersion) {
    const why = !doc || doc.deleted ? 'the document was deleted' : `superseded by version ${doc.versionId} of the document`;
    await finish(s, ctx, job, o.owner, 'cancelled', why);
    return 'cancelled';
  }
  await s.store.transaction((tx) => tx.update(ctx, changeTask(task, { status: 'in-progress', attempt: job.attempts }, s.clock.now())));
  try {
    const run = await prepareExtraction(s, ctx, payload.documentId);
    await s.store.transaction(async (tx) => {
      await tx.completeJob(job.id, o.owner);
      const written = await writeExtraction(tx, s, ctx, run);
      const current = await readTask(tx, ctx, payload.taskId);
      if (current) await tx.update(ctx, changeTask(current, { status: 'completed', outputs: written.map((w) => `${w.resourceType}/${w.id}`) }, s.clock.now()));
    });
    s.metrics.latency.observe({ engine: s.extractor.name }, (s.clock.now().getTime() - doc.lastUpdated.getTime()) / 1000);
    return 'completed';
  } catch (err) {
    return failed(o, ctx, job, err);
  }
}

async function failed(o: NlpWorkerOptions, ctx: AccessContext, job: Job, err: unknown): Promise<Outcome> {
  const s = o.services;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof FhirError && err.status === 409 && /no longer held/.test(message)) return 'lost';
  if (err instanceof PermanentExtractionError || job.attempts >= job.maxAttempts) {
    if (!(err instanceof PermanentExtractionError)) o.logger.error({ err, job: job.id }, 'extraction failed for good');
    await finish(s, ctx, job, o.owner, 'failed', message);
    return 'failed';
  }
  if (!isTransient(err)) o.logger.error({ err, job: job.id }, 'unexpected extraction error; will retry');
  const retryAfter = err instanceof TransientExtractionError ? err.retryAfterMs : undefined;
  const retryAt = new Date(s.clock.now().getTime() + retryDelayMs(job.attempts, o.backoff, retryAfter));
  await s.store.transaction(async (tx) => {
    const task = await readTask(tx, ctx, String(job.payload.taskId));
    if (task) await tx.update(ctx, changeTask(task, { status: 'requested', reason: message, retryAt }, s.clock.now()));
  });
  await s.store.jobs.retry(job.id, o.owner, retryAt, message);
  return 'retry';
}

/** Runs one job with its lease renewed while the engine works. */
async function runLeased(o: NlpWorkerOptions, job: Job): Promise<void> {
  const renew = setInterval(() => {
    o.services.store.jobs.extendLease(job.id, o.owner, o.leaseMs).catch(() => undefined);
  }, Math.max(50, Math.floor(o.leaseMs / 3)));
  try {
    const outcome = await processJob(o, job);
    o.services.metrics.jobs.inc({ outcome });
  } catch (err) {
    // The database went away mid-job: the lease expires and another attempt starts later.
    o.services.metrics.jobs.inc({ outcome: 'error' });
    o.logger.warn({ err, job: job.id }, 'extraction job interrupted; its lease will expire and it will be retried');
  } finally {
    clearInterval(renew);
  }
}

export function startNlpWorker(o: NlpWorkerOptions): NlpWorker {
  let closed = false;
  let active = 0;
  const inFlight = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let pumping = false;
  let again = false;

  const schedule = (ms: number): void => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(pump, Math.max(0, ms));
    timer.unref();
  };

  async function fill(): Promise<void> {
    while (!closed && active < o.concurrency) {
      const jobs = await o.services.store.jobs.claim(NLP_QUEUE, o.owner, o.leaseMs, o.concurrency - active);
      if (!jobs.length) return;
      for (const job of jobs) {
        active++;
        const p = runLeased(o, job).finally(() => {
          active--;
          inFlight.delete(p);
          pump();
        });
        inFlight.add(p);
      }
    }
  }

  function pump(): void {
    if (closed) return;
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    fill()
      .catch((err: unknown) => o.logger.warn({ err }, 'claiming extraction jobs failed; will retry'))
      .finally(() => {
        pumping = false;
        if (again) {
          again = false;
          pump();
        } else {
          schedule(o.pollMs);
        }
      });
  }

  pump();
  return {
    wake: pump,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}
