/**
 * The 'nlp' queue of the job runner: runs the engine outside any transaction (the runner renews the lease
 * meanwhile), then writes findings, Task completion and job completion in ONE transaction — so a job whose
 * lease was taken over cannot write twice. The Task tells users what happens: in-progress, retrying
 * (transient failures, with backoff), failed with a reason (permanent ones), or cancelled.
 */
import type { Task } from 'fhir/r4';
import { type AccessContext, systemContext } from '../../core/access-context';
import { FhirError } from '../../core/fhir-error';
import type { BackoffOptions } from '../../jobs/backoff';
import type { FailureKind, JobLease, QueueHandler } from '../../jobs/types';
import type { StoreReader } from '../../store/types';
import { PermanentExtractionError, TransientExtractionError } from '../errors';
import { completeExtraction, prepareExtraction } from './run-extraction';
import type { ExtractionServices } from './services';
import { NLP_QUEUE, changeTask, isExtractionPayload } from './task';

export interface ExtractionQueueOptions {
  services: ExtractionServices;
  /** Jobs processed at once in this process. */
  concurrency: number;
  leaseMs: number;
  /** Idle poll interval (jobs of other servers, retries that became due). */
  pollMs: number;
  backoff: BackoffOptions;
}

/** Reads through `reader`: inside a transaction it must be the transaction (PGlite has one connection). */
async function readTask(reader: StoreReader, ctx: AccessContext, id: string): Promise<(Task & { id: string }) | null> {
  const st = await reader.read(ctx, 'Task', id);
  return st && !st.deleted && st.resource ? (st.resource as Task & { id: string }) : null;
}

const jobContext = (lease: JobLease): AccessContext => systemContext(`nlp-job-${lease.job.id}`);

/** Ends a job without results: the Task records why, in the transaction that completes the job. */
async function finish(s: ExtractionServices, lease: JobLease, status: 'failed' | 'cancelled', reason: string): Promise<void> {
  const ctx = jobContext(lease);
  await s.store.transaction(async (tx) => {
    await lease.complete(tx);
    const task = await readTask(tx, ctx, String(lease.job.payload.taskId));
    if (task && (task.status === 'requested' || task.status === 'in-progress')) await tx.update(ctx, changeTask(task, { status, reason }, s.clock.now()));
  });
}

function classify(err: unknown): FailureKind {
  if (err instanceof PermanentExtractionError) return { permanent: true };
  const expected = err instanceof TransientExtractionError || (err instanceof FhirError && (err.status === 503 || err.status === 409));
  return { expected, ...(err instanceof TransientExtractionError && err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}) };
}

async function run(s: ExtractionServices, lease: JobLease): Promise<string> {
  const ctx = jobContext(lease);
  const payload = lease.job.payload;
  if (!isExtractionPayload(payload)) {
    await lease.fail('malformed job payload');
    return 'failed';
  }
  const task = await readTask(s.store, ctx, payload.taskId);
  const doc = await s.store.read(ctx, 'DocumentReference', payload.documentId);
  if (!task || task.status === 'completed' || task.status === 'cancelled' || task.status === 'failed') {
    await s.store.transaction((tx) => lease.complete(tx));
    return 'cancelled';
  }
  if (!doc || doc.deleted || doc.versionId !== payload.documentVersion) {
    const why = !doc || doc.deleted ? 'the document was deleted' : `superseded by version ${doc.versionId} of the document`;
    await finish(s, lease, 'cancelled', why);
    return 'cancelled';
  }
  await s.store.transaction((tx) => tx.update(ctx, changeTask(task, { status: 'in-progress', attempt: lease.job.attempts }, s.clock.now())));
  const prepared = await prepareExtraction(s, ctx, payload.documentId);
  await s.store.transaction(async (tx) => {
    await lease.complete(tx);
    await completeExtraction(tx, s, ctx, prepared, await readTask(tx, ctx, payload.taskId));
  });
  s.metrics.latency.observe({ engine: s.engine.name }, (s.clock.now().getTime() - doc.lastUpdated.getTime()) / 1000);
  return 'completed';
}

export function extractionQueue(o: ExtractionQueueOptions): QueueHandler {
  const s = o.services;
  return {
    queue: NLP_QUEUE, workers: o.concurrency, leaseMs: o.leaseMs, pollMs: o.pollMs, backoff: o.backoff,
    run: (lease) => run(s, lease),
    classify,
    giveUp: (lease, reason) => finish(s, lease, 'failed', reason),
    async retrying(lease, reason, retryAt) {
      const ctx = jobContext(lease);
      await s.store.transaction(async (tx) => {
        const task = await readTask(tx, ctx, String(lease.job.payload.taskId));
        if (task) await tx.update(ctx, changeTask(task, { status: 'requested', reason, retryAt }, s.clock.now()));
      });
    },
    onOutcome: (_job, outcome) => s.metrics.jobs.inc({ outcome }),
  };
}
