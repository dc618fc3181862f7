/**
 * The one place where failures become HTTP: FhirErrors keep their status; known infrastructure
 * failures (statement timeout, lost database, body limits) get a clear status; everything else
 * is a 500 without details (the stack goes to the log, never to the client).
 */
import { FhirError, type Issue } from '../core/fhir-error';

interface ErrorLike {
  code?: string;
  type?: string;
  status?: number;
  statusCode?: number;
  message?: string;
}

const DB_UNAVAILABLE = /^(08|57P0[1-3]|53)/; // connection exceptions, admin shutdown, insufficient resources
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

export function toFhirError(err: unknown): { error: FhirError; internal: boolean } {
  if (err instanceof FhirError) return { error: err, internal: false };
  const e = (err ?? {}) as ErrorLike;
  if (e.type === 'entity.too.large') return { error: new FhirError(413, 'too-costly', 'Request body is larger than MAX_BODY'), internal: false };
  if (e.type === 'entity.parse.failed' || e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
    return { error: new FhirError(400, 'invalid', 'Request body could not be read'), internal: false };
  }
  if (e.type === 'request.aborted') return { error: new FhirError(400, 'incomplete', 'Request was aborted by the client'), internal: false };
  if (e.code === '57014') {
    return { error: new FhirError(503, 'timeout', 'The query took longer than the statement timeout; narrow the request', undefined, { 'Retry-After': '1' }), internal: false };
  }
  if (e.code === '40001' || e.code === '40P01') {
    return { error: new FhirError(409, 'transient', 'Concurrent update conflict; retry the request'), internal: false };
  }
  if (e.code === '23505') return { error: new FhirError(409, 'conflict', 'A concurrent request wrote the same resource; retry'), internal: false };
  if ((e.code && (DB_UNAVAILABLE.test(e.code) || NET_CODES.has(e.code))) || /Connection terminated|connect ECONNREFUSED|pool.*(ended|closed)/i.test(e.message ?? '')) {
    return { error: new FhirError(503, 'transient', 'The database is unavailable; retry later', undefined, { 'Retry-After': '5' }), internal: true };
  }
  return { error: new FhirError(500, 'exception', 'Internal server error'), internal: true };
}

export function issuesOf(err: FhirError): Issue[] {
  return err.issues;
}
