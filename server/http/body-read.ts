/**
 * Reads a FHIR request body into one Buffer, with the limit of its route: MAX_RESOURCE_BYTES for a
 * body that is one resource (create, update, patch), MAX_BODY for the rest. A single-resource write
 * whose Content-Length is over its limit is refused with 413 before a byte of it is held: its upload is
 * discarded as it arrives (no chunk outlives the next scavenge), instead of tens of MB read, concatenated
 * and kept until a major GC only to be refused by size afterwards. A compressed body (or one sent
 * without Content-Length) is bounded while it is read.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { FhirError } from '../core/fhir-error';
import { isSingleResourceWrite, singleResourceTooLarge } from '../core/resource-limits';

/** The limit of this request's body: the per-resource one for a single-resource write, else none beyond MAX_BODY. */
export function routeBodyLimit(method: string, fhirPath: string, maxResourceBytes: number | undefined): number | undefined {
  return maxResourceBytes !== undefined && isSingleResourceWrite(method, fhirPath.replace(/^\/+/, '')) ? maxResourceBytes : undefined;
}

/** Content-Length when it counts the bytes the body will have once read (no Content-Encoding to inflate it). */
export function declaredPlainLength(headers: Request['headers']): number | undefined {
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') return undefined;
  const raw = headers['content-length']?.trim();
  if (raw === undefined || !/^\d{1,15}$/.test(raw)) return undefined;
  return Number(raw);
}

/** Before body admission: refuses a single-resource write announced over its limit; its body is drained, never kept. */
export function refuseOversizedResource(maxResourceBytes: number | undefined, onRefused: (res: Response, err: FhirError) => void) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const limit = routeBodyLimit(req.method, req.path, maxResourceBytes);
    const declared = declaredPlainLength(req.headers);
    if (limit === undefined || declared === undefined || declared <= limit) return next();
    req.resume(); // the client may go on uploading; each chunk is dropped as it comes
    onRefused(res, singleResourceTooLarge(req.method, declared, limit));
  };
}

/** The raw body parser of /fhir, with the limit of the request's route. */
export function routeBodyReader(maxBodyBytes: number, maxResourceBytes: number | undefined) {
  const anyBody = express.raw({ type: () => true, limit: maxBodyBytes });
  const oneResource = maxResourceBytes === undefined ? anyBody : express.raw({ type: () => true, limit: maxResourceBytes });
  return (req: Request, res: Response, next: NextFunction): void => {
    const limit = routeBodyLimit(req.method, req.path, maxResourceBytes);
    if (limit === undefined) return anyBody(req, res, next);
    oneResource(req, res, (err?: unknown) => {
      const tooLarge = (err as { type?: string } | undefined)?.type === 'entity.too.large';
      // `length` when announced, else `received`: how far the read got past the limit
      const { length, received } = (err ?? {}) as { length?: number; received?: number };
      next(tooLarge ? singleResourceTooLarge(req.method, length ?? received ?? limit + 1, limit) : err);
    });
  };
}
