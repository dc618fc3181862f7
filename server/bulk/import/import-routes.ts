/**
 * The HTTP routes of $import that the FHIR router cannot carry, mounted on /fhir before its body parser
 * (which holds whole bodies within MAX_BODY):
 *
 *   POST   /fhir/$import  Content-Type: application/fhir+ndjson  → 202: the body is streamed into the job
 *   GET    /fhir/$import-status/{id}                              → 202 + X-Progress | 200 manifest
 *   DELETE /fhir/$import-status/{id}                              → 202: cancelled (or an ended job removed)
 *   GET    /fhir/$import-status/{id}/error.ndjson                 → the per-line OperationOutcomes
 *
 * A Parameters kick-off (application/fhir+json) falls through to the operations table (operations/import.ts).
 */
import { createGunzip } from 'node:zlib';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AccessContext } from '../../core/access-context';
import { FhirError } from '../../core/fhir-error';
import { NDJSON_FORMATS } from './import-params';
import { assertMayImport } from './import-scopes';
import { type ImportAnswer, type ImportServiceDeps, assertRespondAsync, cancelImport, importStatus, kickOffUpload, ownJob } from './import-service';

export interface ImportRouteOptions {
  /** Largest upload (bytes after decompression). */
  maxUploadBytes: number;
  /** The configured public base, else derived from the request. */
  baseUrl?: string;
  /** Known resource types (an upload's `type` query parameter must be one). */
  knownType(type: string): boolean;
}

const STATUS = /^\/\$import-status\/([^/]+)(\/error\.ndjson)?\/?$/;
const ERROR_PAGE = 500;

function send(res: Response, a: ImportAnswer): void {
  res.status(a.status).set(a.headers).type('application/fhir+json; charset=utf-8').send(JSON.stringify(a.body));
}

/** The request body as chunks, decompressed when gzip, failing with 413 past `max` bytes. */
async function* bodyOf(req: Request, max: number): AsyncGenerator<Uint8Array> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') throw new FhirError(415, 'not-supported', `Content-Encoding '${encoding.slice(0, 40)}' is not supported for uploads; use gzip or none`);
  const source: AsyncIterable<Buffer> = encoding === 'gzip' ? req.pipe(createGunzip()) : req;
  let total = 0;
  try {
    for await (const chunk of source) {
      total += chunk.length;
      if (total > max) throw new FhirError(413, 'too-costly', `Upload is larger than IMPORT_MAX_UPLOAD (${max} bytes)`);
      yield chunk;
    }
  } catch (err) {
    if (err instanceof FhirError) throw err;
    throw new FhirError(400, 'incomplete', 'The upload could not be read completely (aborted or not valid gzip)');
  }
}

function upload(d: ImportServiceDeps, o: ImportRouteOptions, req: Request, ctx: AccessContext, baseUrl: string): Promise<ImportAnswer> {
  assertMayImport(ctx);
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > o.maxUploadBytes) throw new FhirError(413, 'too-costly', `Upload is larger than IMPORT_MAX_UPLOAD (${o.maxUploadBytes} bytes)`);
  const prefer = req.headers.prefer;
  assertRespondAsync(Array.isArray(prefer) ? prefer.join(',') : prefer);
  const types = new URL(req.originalUrl, 'http://x').searchParams.getAll('type');
  if (types.length > 1 || (types[0] !== undefined && !o.knownType(types[0]))) throw new FhirError(400, 'invalid', "$import upload: 'type' must be one resource type of this server");
  return kickOffUpload(d, ctx, { baseUrl, url: `${baseUrl}/$import${types[0] ? `?type=${types[0]}` : ''}`, ...(types[0] ? { type: types[0] } : {}) }, bodyOf(req, o.maxUploadBytes));
}

/** Streams the error file page by page (bounded memory whatever its size). */
async function errorFile(d: ImportServiceDeps, res: Response, id: string): Promise<void> {
  res.status(200).type('application/fhir+ndjson');
  for (let after = -1; ;) {
    const page = await d.store.bulkImport.errors(id, after, ERROR_PAGE);
    if (!page.length) break;
    res.write(`${page.map((e) => e.outcome).join('\n')}\n`);
    after = page[page.length - 1].seq;
  }
  res.end();
}

export function importRoutes(d: ImportServiceDeps, o: ImportRouteOptions): RequestHandler {
  const baseOf = (req: Request): string => (o.baseUrl ?? `${req.protocol}://${req.host ?? 'localhost'}/fhir`).replace(/\/+$/, '');
  return async (req: Request, res: Response, next: NextFunction) => {
    const status = STATUS.exec(req.path);
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const isUpload = req.path.replace(/\/+$/, '') === '/$import' && req.method === 'POST' && NDJSON_FORMATS.has(type);
    if (!status && !isUpload) {
      next();
      return;
    }
    res.locals.interaction = status ? '$import-status' : '$import';
    try {
      const ctx = res.locals.ctx as AccessContext;
      if (isUpload) return send(res, await upload(d, o, req, ctx, baseOf(req)));
      const id = status?.[1] ?? '';
      if (status?.[2] && req.method === 'GET') {
        await ownJob(d, ctx, id);
        return await errorFile(d, res, id);
      }
      if (req.method === 'GET' && !status?.[2]) return send(res, await importStatus(d, ctx, baseOf(req), id));
      if (req.method === 'DELETE' && !status?.[2]) return send(res, await cancelImport(d, ctx, id));
      throw new FhirError(405, 'not-supported', `${req.method} is not supported here (GET or DELETE on the status URL, GET on its error file)`);
    } catch (err) {
      if (res.headersSent) res.destroy();
      else next(err);
    }
  };
}
