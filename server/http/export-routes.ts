/**
 * The Bulk Data status and file endpoints (IG 2.0 "Bulk Data Status Request", "File Request"), mounted on
 * /fhir after the audit, access-context and rate-limit middleware, before the FHIR body parser:
 *   GET    /fhir/$export-poll-status?_jobId=ID   → 202 (X-Progress, Retry-After) | 200 manifest (application/json) | 500
 *   DELETE /fhir/$export-poll-status?_jobId=ID   → 202: cancelled, files removed
 *   GET    /fhir/$export-download?_jobId=ID&_file=Type.ndjson → application/fhir+ndjson, gzip when accepted (streamed)
 * The export service binds every job to the client that started it (others get 404).
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { missingToken } from '../auth/bearer';
import type { ExportService } from '../bulk/export/service';
import type { AccessContext } from '../core/access-context';
import { FhirError, badRequest, operationOutcome } from '../core/fhir-error';
import type { Logger } from '../core/logger';
import { toFhirError } from './errors';

const STATUS = '/$export-poll-status';
const DOWNLOAD = '/$export-download';
const NDJSON = 'application/fhir+ndjson';

function sendOutcome(res: Response, err: FhirError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(err.status).set(err.headers).type('application/fhir+json; charset=utf-8').send(JSON.stringify(operationOutcome(err.issues)));
}

function param(req: Request, name: string): string {
  const v = (req.query as Record<string, unknown>)[name];
  if (typeof v !== 'string' || v === '') throw badRequest(`Missing the parameter '${name}'`, [name]);
  return v;
}

/** gzip unless the client refuses it (`gzip;q=0`) or did not ask. */
function wantsGzip(req: Request): boolean {
  const header = req.headers['accept-encoding'] ?? '';
  return header.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return coding.trim() === 'gzip' && (q === undefined || Number(q.slice(2)) > 0);
  });
}

async function download(service: ExportService, req: Request, res: Response, ctx: AccessContext): Promise<void> {
  const file = await service.file(ctx, param(req, '_jobId'), param(req, '_file'));
  res.status(200).set({ 'Content-Type': NDJSON, 'Cache-Control': 'no-store', Vary: 'Accept-Encoding' });
  if ('text' in file) {
    res.send(file.text);
    return;
  }
  if (req.method === 'HEAD') {
    res.set('Content-Length', String(file.size)).end();
    return;
  }
  if (wantsGzip(req)) {
    res.set('Content-Encoding', 'gzip');
    await pipeline(createReadStream(file.path), createGzip(), res);
  } else {
    res.set('Content-Length', String(file.size));
    await pipeline(createReadStream(file.path), res);
  }
}

async function status(service: ExportService, req: Request, res: Response, ctx: AccessContext, baseUrl: string): Promise<void> {
  const id = param(req, '_jobId');
  if (req.method === 'DELETE') {
    await service.cancel(ctx, id);
    res.status(202).type('application/fhir+json; charset=utf-8')
      .send(JSON.stringify(operationOutcome([{ severity: 'information', code: 'informational', diagnostics: `Export job ${id} cancelled; its files are deleted` }])));
    return;
  }
  const answer = await service.status(ctx, id, baseUrl);
  res.status(answer.status).set({ ...answer.headers, 'Cache-Control': 'no-store' });
  if (answer.status === 200) res.type('application/json; charset=utf-8').send(JSON.stringify(answer.manifest));
  else if (answer.status === 500) res.type('application/fhir+json; charset=utf-8').send(JSON.stringify(answer.outcome));
  else res.end();
}

/** The middleware; `baseUrlOf` gives the public FHIR base of a request (for the manifest's file URLs). */
export function exportRoutes(service: ExportService, baseUrlOf: (req: Request) => string, logger: Logger): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const path = req.path.replace(/^\/%24/, '/$');
    if (path !== STATUS && path !== DOWNLOAD) {
      next();
      return;
    }
    res.locals.interaction = path.slice(1);
    try {
      const ctx = res.locals.ctx as AccessContext;
      if (ctx.anonymous) throw missingToken(baseUrlOf(req));
      const allowed = path === STATUS ? ['GET', 'DELETE'] : ['GET', 'HEAD'];
      if (!allowed.includes(req.method)) throw new FhirError(405, 'not-supported', `${path.slice(1)} does not accept ${req.method}`);
      if (path === STATUS) await status(service, req, res, ctx, baseUrlOf(req));
      else await download(service, req, res, ctx);
    } catch (err) {
      const { error, internal } = toFhirError(err);
      if (internal) logger.error({ reqId: res.locals.requestId as string, err }, 'request failed');
      sendOutcome(res, error);
    }
  };
}
