/**
 * The 'bulk-import' queue of the one job runner: reads each input's NDJSON from the job's checkpoint,
 * judges every line like a REST write, and writes batches of `batchSize` lines, each in one transaction
 * that also stores its error lines, counts and the next checkpoint (store/bulk-import.ts). A restart
 * or a lost lease resumes after the last committed batch: no line is written twice or skipped.
 * Memory is bounded by one batch plus one line of at most `maxLineBytes`.
 */
import type { Binary } from 'fhir/r4';
import type { AccessContext } from '../../core/access-context';
import type { IdGenerator } from '../../core/clock';
import { FhirError, type Issue } from '../../core/fhir-error';
import type { Logger } from '../../core/logger';
import type { JobLease, QueueHandler } from '../../jobs/types';
import { IMPORT_QUEUE, type BulkImportJob, type ImportCheckpoint, type ImportInput, type ResourceStore } from '../../store/types';
import type { ResourceValidator } from '../../validation';
import { type BatchInput, type JudgedEntry, LineRefused, assignIds, writeBatch } from './import-batch';
import { judgeLine, lineError } from './import-line';
import { lineScopeChecker } from './import-scopes';
import { jobContext } from './job-context';
import { ndjsonLines } from './ndjson-lines';

export interface ImportQueueOptions {
  store: Pick<ResourceStore, 'bulkImport' | 'transaction' | 'read'>;
  validator: ResourceValidator;
  ids: IdGenerator;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** Lines per transaction. */
  batchSize: number;
  maxLineBytes: number;
  maxJsonDepth: number;
  /** Import jobs run at once in this process; 0 under ROLE=server. */
  workers: number;
  pollMs?: number;
  /** How long an ended job stays (IMPORT_RETENTION_MS) before its 'expire' runner job removes it. */
  retentionMs: number;
  now(): Date;
}

/** The job was cancelled (or taken over) between batches: stop without writing more. */
class JobMoved extends Error {}

/** An input that cannot be read at all (its Binary is gone, or the requester may not read it). */
class InputUnreadable extends Error {
  constructor(readonly issues: Issue[]) {
    super(issues[0]?.diagnostics ?? 'input unreadable');
  }
}

/** The input's bytes from `offset`: an uploaded file chunk by chunk, or a Binary of this server. */
async function* inputBytes(o: ImportQueueOptions, job: BulkImportJob, ctx: AccessContext, index: number, offset: number): AsyncGenerator<Uint8Array> {
  const source = job.inputs[index].source;
  if ('upload' in source) {
    yield* o.store.bulkImport.readUpload(job.id, source.upload, offset);
    return;
  }
  let stored;
  try {
    stored = await o.store.read(ctx, 'Binary', source.binary);
  } catch (err) {
    if (err instanceof FhirError && err.status < 500) throw new InputUnreadable(err.issues);
    throw err;
  }
  const binary = stored?.resource as Binary | undefined;
  if (!binary || stored?.deleted) throw new InputUnreadable(new FhirError(404, 'not-found', `Binary/${source.binary} does not exist (any more)`).issues);
  // A Binary was sent within MAX_BODY, so decoding it whole is bounded.
  const bytes = Buffer.from(binary.data ?? '', 'base64');
  yield bytes.subarray(offset);
}

/** Commits one batch; a line a write hook refuses is taken out and the batch written again. */
async function commit(o: ImportQueueOptions, job: BulkImportJob, ctx: AccessContext, from: ImportCheckpoint, batch: BatchInput): Promise<ImportCheckpoint> {
  assignIds(batch.entries, o.ids);
  const refused = new Map<number, Issue[]>();
  for (;;) {
    try {
      const r = await o.store.bulkImport.batch(job.id, from, (tx) => writeBatch(tx, ctx, batch, refused));
      if (r === 'moved') throw new JobMoved(`import job ${job.id} was cancelled or moved on`);
      // Let waiting requests queue their queries first: on PGlite (one connection) back-to-back batches would starve them.
      await new Promise((resolve) => setImmediate(resolve));
      return batch.next;
    } catch (err) {
      if (!(err instanceof LineRefused)) throw err;
      refused.set(err.index, err.refusal.issues);
    }
  }
}

/**
 * Keeps one batch commit in flight while the next batch is judged: validation is this process's CPU,
 * writing is mostly the database's, so they overlap. Commits still run one after another, each from the
 * checkpoint the previous one committed; at most two batches are held.
 */
class CommitPipeline {
  private inFlight: Promise<ImportCheckpoint>;

  constructor(start: ImportCheckpoint) {
    this.inFlight = Promise.resolve(start);
  }

  /** Waits for the previous commit (rethrowing its failure), then starts this one without waiting for it. */
  async push(run: (from: ImportCheckpoint) => Promise<ImportCheckpoint>): Promise<void> {
    const previous = this.inFlight;
    this.inFlight = previous.then(run);
    this.inFlight.catch(() => undefined); // observed by the next push or by drain()
    await previous;
  }

  drain(): Promise<ImportCheckpoint> {
    return this.inFlight;
  }
}

/** Imports one input from the checkpoint on; returns the checkpoint after it (the next input's start). */
async function importInput(o: ImportQueueOptions, job: BulkImportJob, ctx: AccessContext, lease: JobLease, start: ImportCheckpoint): Promise<ImportCheckpoint | 'paused'> {
  const input: ImportInput = job.inputs[start.input];
  const judge = { validator: o.validator, maxJsonDepth: o.maxJsonDepth, scopeProblem: lineScopeChecker(ctx) };
  const pipeline = new CommitPipeline(start);
  const send = (batch: BatchInput): Promise<void> => pipeline.push((from) => commit(o, job, ctx, from, batch));
  const next = { input: start.input + 1, offset: 0, line: 0 };
  let entries: JudgedEntry[] = [];
  let last = start;
  try {
    for await (const line of ndjsonLines(inputBytes(o, job, ctx, start.input, start.offset), start, o.maxLineBytes)) {
      last = { input: start.input, offset: line.end, line: line.number };
      const judged = line.bytes ? judgeLine(judge, line.bytes, input.type) : { issues: lineError(`line of ${line.tooLong} bytes exceeds the limit of ${o.maxLineBytes} bytes`, 'too-long') };
      if (!('blank' in judged)) entries.push({ line: line.number, ...judged });
      if (entries.length >= o.batchSize) {
        await send({ url: input.url, entries, next: last });
        entries = [];
        if (lease.signal.aborted) {
          await pipeline.drain();
          return 'paused';
        }
      }
    }
  } catch (err) {
    if (!(err instanceof InputUnreadable)) throw err;
    // The input itself is unreadable (its Binary is gone or not readable by the requester): one error for it, then the next input.
    entries.push({ line: last.line, issues: err.issues });
  }
  await send({ url: input.url, entries, next });
  await pipeline.drain();
  return next;
}

async function runImport(o: ImportQueueOptions, lease: JobLease, id: string): Promise<string> {
  const job = await o.store.bulkImport.get(id);
  const completeRunnerJob = (tx: Parameters<JobLease['complete']>[0]): Promise<void> => lease.complete(tx);
  if (!job || !(await o.store.bulkImport.start(id))) {
    await o.store.transaction(completeRunnerJob);
    return 'cancelled';
  }
  const ctx = jobContext(job);
  let at = job.checkpoint;
  try {
    while (at.input < job.inputs.length) {
      const next = await importInput(o, job, ctx, lease, at);
      if (next === 'paused') {
        await lease.release();
        return 'paused';
      }
      at = next;
    }
  } catch (err) {
    if (!(err instanceof JobMoved)) throw err;
    await o.store.transaction(completeRunnerJob);
    return 'cancelled';
  }
  await o.store.bulkImport.finish(id, { status: 'completed', expiresAt: expiry(o) }, completeRunnerJob);
  const done = (await o.store.bulkImport.get(id)) ?? job;
  o.logger.info({ job: id, counts: done.counts, errors: done.errorCount }, 'import job completed');
  return 'completed';
}

const expiry = (o: ImportQueueOptions): Date => new Date(o.now().getTime() + o.retentionMs);

/** An ended job's time is up: it goes with its error file; its status URL answers 404. */
async function expire(o: ImportQueueOptions, lease: JobLease, id: string): Promise<string> {
  await o.store.bulkImport.remove(id);
  await o.store.transaction((tx) => lease.complete(tx));
  return 'expired';
}

export function importQueue(o: ImportQueueOptions): QueueHandler {
  return {
    queue: IMPORT_QUEUE, workers: o.workers, leaseMs: 60_000, pollMs: o.pollMs ?? 2_000, backoff: { baseMs: 1_000, maxMs: 60_000 },
    async run(lease) {
      const id = lease.job.payload.importJobId;
      if (typeof id !== 'string') {
        await lease.fail('malformed import job payload: no importJobId');
        return 'failed';
      }
      return lease.job.payload.action === 'expire' ? expire(o, lease, id) : runImport(o, lease, id);
    },
    async giveUp(lease, reason) {
      const id = lease.job.payload.importJobId;
      if (typeof id === 'string' && lease.job.payload.action !== 'expire') await o.store.bulkImport.finish(id, { status: 'failed', error: reason, expiresAt: expiry(o) }, () => Promise.resolve());
      await lease.fail(reason);
    },
  };
}
