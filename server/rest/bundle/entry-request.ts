/** Turns a Bundle entry's request into a FhirRequest, and a FhirResponse into the entry's response. */
import type { Binary, BundleEntry, BundleEntryRequest, BundleEntryResponse, OperationOutcome, Resource } from 'fhir/r4';
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

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const HEADER_FIELDS = ['ifMatch', 'ifNoneMatch', 'ifNoneExist', 'ifModifiedSince'] as const;

/**
 * Checks the JSON shape of entry `index` before anything reads it: an object with a `request`
 * object whose method is one of ours and whose url and conditional headers are strings.
 */
function checkEntryShape(entry: unknown, index: number): asserts entry is BundleEntry<Resource> & { request: BundleEntryRequest } {
  const at = `Bundle.entry[${index}]`;
  const fail = (msg: string, path = at): never => {
    throw badRequest(`${at}: ${msg}`, [path]);
  };
  if (!isObject(entry)) fail(`an entry must be a JSON object, not ${entry === null ? 'null' : Array.isArray(entry) ? 'an array' : typeof entry}`);
  const e = entry as Record<string, unknown>;
  if (e.fullUrl !== undefined && typeof e.fullUrl !== 'string') fail('fullUrl must be a string', `${at}.fullUrl`);
  if (e.resource !== undefined && e.resource !== null && !isObject(e.resource)) fail('resource must be a JSON object', `${at}.resource`);
  const r = e.request;
  if (r === undefined || r === null) fail('has no request (method and url are required in a batch or transaction)', `${at}.request`);
  if (!isObject(r)) fail('request must be a JSON object', `${at}.request`);
  const req = r as Record<string, unknown>;
  if (typeof req.method !== 'string' || !METHODS.has(req.method)) {
    fail(`request.method must be one of ${[...METHODS].join(', ')}, not ${JSON.stringify(req.method ?? null).slice(0, 40)}`, `${at}.request.method`);
  }
  if (typeof req.url !== 'string' || req.url === '') fail('request.url must be a non-empty string', `${at}.request.url`);
  for (const f of HEADER_FIELDS) if (req[f] !== undefined && typeof req[f] !== 'string') fail(`request.${f} must be a string`, `${at}.request.${f}`);
}

export function entryToRequest(raw: unknown, index: number, parent: FhirRequest): FhirRequest {
  checkEntryShape(raw, index);
  const entry = raw;
  const r = entry.request;
  let parts: { path: string; query: [string, string][] };
  try {
    parts = splitUrl(r.url, parent.baseUrl);
  } catch (err) {
    if (err instanceof FhirError) throw badRequest(`Bundle.entry[${index}]: ${err.message}`, [`Bundle.entry[${index}].request.url`]);
    throw err;
  }
  const { path, query } = parts;
  if (path === '' && r.method === 'POST') throw badRequest(`Bundle.entry[${index}]: nested batch/transaction Bundles are not processed`, [`Bundle.entry[${index}].request.url`]);
  const headers: Record<string, string | undefined> = {
    'if-match': r.ifMatch, 'if-none-match': r.ifNoneMatch, 'if-none-exist': r.ifNoneExist,
    'if-modified-since': r.ifModifiedSince, prefer: parent.headers.prefer,
  };
  const base = { method: r.method, path, query, headers, baseUrl: parent.baseUrl, ctx: parent.ctx };
  if (r.method === 'PATCH') return { ...base, ...patchBody(entry.resource) };
  return { ...base, body: entry.resource ?? undefined, contentType: 'application/fhir+json' };
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
