/** ETag, Last-Modified, Location and Prefer handling shared by every interaction (FHIR R4 http.html §3.1.0.1). */
import { badRequest, informational } from '../core/fhir-error';
import type { StoredResource } from '../store/types';
import type { FhirRequest, FhirResponse } from './types';

export const etag = (versionId: number): string => `W/"${versionId}"`;

/** Accepts W/"3", "3" or 3; returns undefined for '*' or absent. */
export function parseETag(value: string | undefined, header = 'If-Match'): number | undefined {
  if (value === undefined || value.trim() === '' || value.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(value);
  if (!m) throw badRequest(`Malformed ${header} header: expected W/"<versionId>"`);
  return Number(m[1]);
}

export function versionHeaders(stored: StoredResource): Record<string, string> {
  return { ETag: etag(stored.versionId), 'Last-Modified': stored.lastUpdated.toUTCString() };
}

export function locationOf(req: FhirRequest, stored: StoredResource): string {
  return `${req.baseUrl}/${stored.resourceType}/${stored.id}/_history/${stored.versionId}`;
}

export type PreferReturn = 'minimal' | 'representation' | 'OperationOutcome';

export function preferReturn(req: FhirRequest): PreferReturn {
  const m = /return\s*=\s*"?(minimal|representation|OperationOutcome)"?/i.exec(req.headers['prefer'] ?? '');
  if (!m) return 'representation';
  const v = m[1].toLowerCase();
  return v === 'minimal' ? 'minimal' : v === 'operationoutcome' ? 'OperationOutcome' : 'representation';
}

export function preferStrict(req: FhirRequest): boolean {
  return /handling\s*=\s*strict/i.test(req.headers['prefer'] ?? '');
}

/** Builds the response to a write honouring Prefer: return=… */
export function writeResponse(req: FhirRequest, status: number, stored: StoredResource, message: string): FhirResponse {
  const headers = { ...versionHeaders(stored), Location: locationOf(req, stored) };
  switch (preferReturn(req)) {
    case 'minimal':
      return { status, headers };
    case 'OperationOutcome':
      return { status, headers, body: informational(message) };
    default:
      return { status, headers, body: stored.resource };
  }
}

/** True when a conditional read may answer 304 (If-None-Match / If-Modified-Since). */
export function notModified(req: FhirRequest, stored: StoredResource): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) {
    if (inm.trim() === '*') return true;
    const tags = inm.split(',').map((t) => parseETag(t, 'If-None-Match'));
    return tags.includes(stored.versionId);
  }
  const ims = req.headers['if-modified-since'];
  if (ims !== undefined) {
    const since = Date.parse(ims);
    if (Number.isNaN(since)) throw badRequest('Malformed If-Modified-Since header: expected an HTTP date');
    // HTTP dates have second precision.
    return Math.floor(stored.lastUpdated.getTime() / 1000) <= Math.floor(since / 1000);
  }
  return false;
}
