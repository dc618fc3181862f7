/**
 * $import kick-off and status, shared by the Parameters operation (operations/import.ts) and the NDJSON
 * upload route (import-routes.ts): checks who asks and what they name, stores the job (with an upload's
 * bytes, streamed in chunks) and queues it; answers the status URL for the requesting client alone.
 */
import type { OperationOutcome } from 'fhir/r4';
import type { AccessContext } from '../../core/access-context';
import type { IdGenerator } from '../../core/clock';
import { badRequest, FhirError, informational, notFound, operationOutcome } from '../../core/fhir-error';
import type { BulkImportJob, ImportInput, ResourceStore } from '../../store/types';
import { assertMayImport } from './import-scopes';
import { storedContext } from './job-context';

export interface ImportServiceDeps {
  store: Pick<ResourceStore, 'bulkImport' | 'read'>;
  ids: IdGenerator;
  /** Nudges the runner's import queue once a job is stored. */
  wake(): void;
  /** Whether bearer tokens are required (the manifest's requiresAccessToken). */
  authEnabled: boolean;
  /** How long an ended job and its error file stay (IMPORT_RETENTION_MS); then its status URL answers 404. */
  retentionMs: number;
  now(): Date;
}

/** When an ended job expires (undefined while it runs). */
export const expiresAt = (d: Pick<ImportServiceDeps, 'retentionMs'>, job: BulkImportJob): Date | undefined =>
  job.completedAt ? new Date(job.completedAt.getTime() + d.retentionMs) : undefined;

export interface ImportAnswer {
  status: number;
  headers: Record<string, string>;
  body: OperationOutcome | Record<string, unknown>;
}

const statusUrl = (baseUrl: string, id: string): string => `${baseUrl}/$import-status/${id}`;

/** Bulk Data kick-off requests are asynchronous: `Prefer: respond-async` is required. */
export function assertRespondAsync(prefer: string | undefined): void {
  if (!prefer?.split(',').some((p) => p.trim().toLowerCase().startsWith('respond-async'))) {
    throw badRequest('$import is asynchronous: send the header Prefer: respond-async');
  }
}

/** A kick-off's answer: 202 with the status URL. */
export type KickOffAnswer = ImportAnswer & { body: OperationOutcome };

function accepted(job: BulkImportJob, baseUrl: string): KickOffAnswer {
  const url = statusUrl(baseUrl, job.id);
  return { status: 202, headers: { 'Content-Location': url }, body: informational(`Import job ${job.id} accepted (${job.inputs.length} input${job.inputs.length === 1 ? '' : 's'}); poll ${url}`) };
}

/** Kick-off with inputs naming this server's Binaries: each must exist and be readable by the requester. */
export async function kickOffBinaries(d: ImportServiceDeps, ctx: AccessContext, req: { baseUrl: string; url: string }, inputs: ImportInput[]): Promise<KickOffAnswer> {
  assertMayImport(ctx);
  for (const [i, input] of inputs.entries()) {
    if (!('binary' in input.source)) continue;
    const found = await d.store.read(ctx, 'Binary', input.source.binary);
    if (!found || found.deleted) throw badRequest(`$import: input ${i + 1} names Binary/${input.source.binary}, which does not exist`, [`Parameters.parameter.where(name='input')[${i}]`]);
  }
  const job = await d.store.bulkImport.create({ id: d.ids.newId(), clientId: ctx.clientId, request: req.url, inputs, context: storedContext(ctx) });
  d.wake();
  return accepted(job, req.baseUrl);
}

/** Kick-off with the NDJSON as the request body, stored as it streams in (the job exists only if all of it arrived). */
export async function kickOffUpload(d: ImportServiceDeps, ctx: AccessContext, req: { baseUrl: string; url: string; type?: string }, body: AsyncIterable<Uint8Array>): Promise<KickOffAnswer> {
  assertMayImport(ctx);
  // The data came with the kick-off request: errors name that request's URL.
  const input: ImportInput = { ...(req.type ? { type: req.type } : {}), url: req.url, source: { upload: 0 } };
  const job = await d.store.bulkImport.create({ id: d.ids.newId(), clientId: ctx.clientId, request: req.url, inputs: [input], context: storedContext(ctx) }, [body]);
  d.wake();
  return accepted(job, req.baseUrl);
}

/** The job, when it exists and belongs to the requesting client (anyone else: 404, as if it did not exist). */
export async function ownJob(d: Pick<ImportServiceDeps, 'store' | 'retentionMs' | 'now'>, ctx: AccessContext, id: string): Promise<BulkImportJob> {
  if (ctx.anonymous) throw new FhirError(401, 'login', 'A bearer token is required', undefined, { 'WWW-Authenticate': 'Bearer' });
  const job = /^[A-Za-z0-9\-.]{1,64}$/.test(id) ? await d.store.bulkImport.get(id) : null;
  if (!job || job.clientId !== ctx.clientId) throw notFound(`No import job '${id.slice(0, 64)}'`);
  // Expired but not yet removed by its runner job: gone all the same.
  const expires = expiresAt(d, job);
  if (expires && expires.getTime() <= d.now().getTime()) throw notFound(`Import job '${id.slice(0, 64)}' has expired`);
  return job;
}

function manifest(d: ImportServiceDeps, job: BulkImportJob, baseUrl: string): Record<string, unknown> {
  const output = Object.entries(job.counts).sort(([a], [b]) => a.localeCompare(b)).map(([type, count]) => ({ type, count }));
  return {
    transactionTime: job.createdAt.toISOString(), request: job.request, requiresAccessToken: d.authEnabled, output,
    error: job.errorCount ? [{ type: 'OperationOutcome', count: job.errorCount, url: `${statusUrl(baseUrl, job.id)}/error.ndjson` }] : [],
  };
}

/** The status URL: 202 + X-Progress while open, 200 + manifest when completed, 500 + OperationOutcome when failed. */
export async function importStatus(d: ImportServiceDeps, ctx: AccessContext, baseUrl: string, id: string): Promise<ImportAnswer> {
  const job = await ownJob(d, ctx, id);
  if (job.status === 'cancelled') throw notFound(`Import job '${id}' was cancelled`);
  if (job.status === 'queued' || job.status === 'running') {
    const written = Object.values(job.counts).reduce((a, b) => a + b, 0);
    const where = `input ${Math.min(job.checkpoint.input + 1, job.inputs.length)} of ${job.inputs.length}, line ${job.checkpoint.line}`;
    return { status: 202, headers: { 'X-Progress': `${job.status}: ${written} resources written, ${job.errorCount} lines refused (${where})`, 'Retry-After': '2' }, body: informational(`Import job ${id} is ${job.status}`) };
  }
  const expires = expiresAt(d, job);
  const headers: Record<string, string> = expires ? { Expires: expires.toUTCString() } : {};
  if (job.status === 'failed') {
    return { status: 500, headers, body: operationOutcome([{ severity: 'fatal', code: 'exception', diagnostics: `Import job ${id} failed: ${job.error ?? 'unknown error'}` }]) };
  }
  return { status: 200, headers, body: manifest(d, job, baseUrl) };
}

/** DELETE on the status URL: cancels an open job (what was written stays), or removes an ended one with its error file. */
export async function cancelImport(d: ImportServiceDeps, ctx: AccessContext, id: string): Promise<ImportAnswer> {
  await ownJob(d, ctx, id);
  await d.store.bulkImport.cancel(id, new Date(d.now().getTime() + d.retentionMs));
  return { status: 202, headers: {}, body: informational(`Import job ${id} cancelled`) };
}
