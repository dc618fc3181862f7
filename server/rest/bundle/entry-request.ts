/** Turns a Bundle entry's request into a FhirRequest, and a FhirResponse into the entry's response. */
import type { Binary, BundleEntry, BundleEntryResponse, OperationOutcome, Resource } from 'fhir/r4';
import { FhirError, badRequest, operationOutcome } from '../../core/fhir-error';
import type { FhirRequest, FhirResponse } from '../types';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);

const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 304: 'Not Modified', 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 409: 'Conflict', 410: 'Gone', 412: 'Precondition Failed', 413: 'Payload Too Large',
  415: 'Unsupported Media Type', 422: 'Unprocessable Entity', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

export const statusLine = (status: number): string => `${status} ${STATUS_TEXT[status] ?? ''}`.trim();

/** Splits an entry url (relative, or absolute under our base) into path and query. */
export function splitUrl(url: string, baseUrl: string): { path: string; query: [string, string][] } {
  let rel = url.startsWith(baseUrl + '/') ? url.slice(baseUrl.length + 1) : url;
  if (/^[a-z]+:\/\//i.test(rel)) {
    // Another server's absolute URL (seen in real exchanges, e.g. IG bundles): keep its RESTful tail.
    const m = /\/([A-Z][A-Za-z]+(?:\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[^/?]+)?)?(?:\?.*)?)$/.exec(rel);
    if (!m) throw badRequest(`Entry url '${url.slice(0, 100)}' does not name a FHIR resource`);
    rel = m[1];
  }
  rel = rel.replace(/^\/+/, '');
  const q = rel.indexOf('?');
  const path = q < 0 ? rel : rel.slice(0, q);
  const query: [string, string][] = [];
  if (q >= 0) for (const [k, v] of new URLSearchParams(rel.slice(q + 1))) query.push([k, v]);
  return { path, query };
}

/** A PATCH entry carries its patch as a Binary (JSON Patch) or a Parameters (FHIRPath Patch). */
function patchBody(resource: Resource | undefined): { body: unknown; contentType: string } {
  if (resource?.resourceType === 'Binary') {
    const bin = resource as Binary;
    try {
      return { body: JSON.parse(Buffer.from(bin.data ?? '', 'base64').toString('utf8')), contentType: 'application/json-patch+json' };
    } catch {
      throw badRequest('PATCH entry Binary does not hold a JSON Patch document');
    }
  }
  return { body: resource, contentType: 'application/fhir+json' };
}

export function entryToRequest(entry: BundleEntry<Resource>, index: number, parent: FhirRequest): FhirRequest {
  const r = entry.request;
  if (!r?.method || !r.url) throw badRequest(`Bundle.entry[${index}] has no request.method and request.url`, [`Bundle.entry[${index}].request`]);
  if (!METHODS.has(r.method)) throw badRequest(`Bundle.entry[${index}].request.method '${String(r.method)}' is not supported`);
  const { path, query } = splitUrl(r.url, parent.baseUrl);
  if (path === '' && r.method === 'POST') throw badRequest(`Bundle.entry[${index}]: nested batch/transaction Bundles are not processed`, [`Bundle.entry[${index}].request.url`]);
  const headers: Record<string, string | undefined> = {
    'if-match': r.ifMatch, 'if-none-match': r.ifNoneMatch, 'if-none-exist': r.ifNoneExist,
    'if-modified-since': r.ifModifiedSince, prefer: parent.headers.prefer,
  };
  const base = { method: r.method, path, query, headers, baseUrl: parent.baseUrl, ctx: parent.ctx };
  if (r.method === 'PATCH') return { ...base, ...patchBody(entry.resource) };
  return { ...base, body: entry.resource, contentType: 'application/fhir+json' };
}

export function responseToEntry(res: FhirResponse, includeResource: boolean): BundleEntry<Resource> {
  const response: BundleEntryResponse = { status: statusLine(res.status) };
  if (res.headers.Location) response.location = res.headers.Location;
  if (res.headers.ETag) response.etag = res.headers.ETag;
  if (res.headers['Last-Modified']) response.lastModified = new Date(res.headers['Last-Modified']).toISOString();
  const body = res.body;
  if (body?.resourceType === 'OperationOutcome' && res.status >= 300) return { response: { ...response, outcome: body as OperationOutcome } };
  return { ...(includeResource && body ? { resource: body } : {}), response };
}

export function errorToEntry(err: unknown): BundleEntry<Resource> {
  if (err instanceof FhirError) return { response: { status: statusLine(err.status), outcome: operationOutcome(err.issues) } };
  throw err;
}
