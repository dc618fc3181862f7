/** Request bodies: media type, size (MAX_BODY), charset, JSON syntax and nesting depth, checked before any work. */
import { FhirError } from '../core/fhir-error';
import { parseJsonBody } from '../core/json-body';

export { jsonDepthExceeds } from '../core/json-body';

const JSON_TYPES = new Set(['application/fhir+json', 'application/json', 'application/json-patch+json', 'text/json']);
const FORM = 'application/x-www-form-urlencoded';

export interface ParsedBody {
  body?: unknown;
  contentType?: string;
  /** Set instead of `body` when parsing was deferred to a worker thread (see `deferJson`). */
  deferredJson?: Uint8Array;
}

export function mediaType(header: string | undefined): { type?: string; charset?: string } {
  if (!header) return {};
  const [type, ...params] = header.split(';').map((s) => s.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith('charset='))?.slice(8).replace(/"/g, '');
  return { type, charset };
}

/**
 * Checks the media type and parses JSON. With `deferJson` the JSON is left unparsed (the bytes are
 * returned): a caller that hands it to a worker thread keeps multi-MB parsing off the event loop.
 */
export function parseBody(raw: Buffer | undefined, contentTypeHeader: string | undefined, maxDepth: number, deferJson = false): ParsedBody {
  if (!raw || raw.length === 0) return {};
  const { type, charset } = mediaType(contentTypeHeader);
  if (!type) throw new FhirError(415, 'not-supported', 'Request has a body but no Content-Type; use application/fhir+json');
  if (charset && charset !== 'utf-8' && charset !== 'utf8') throw new FhirError(415, 'not-supported', `Charset '${charset}' is not supported; use utf-8`);
  if (type === FORM) return { body: raw.toString('utf8'), contentType: type };
  if (!JSON_TYPES.has(type)) {
    throw new FhirError(415, 'not-supported', `Content-Type '${type.slice(0, 80)}' is not supported; this server speaks application/fhir+json`);
  }
  const contentType = type === 'application/json-patch+json' ? type : 'application/fhir+json';
  if (deferJson) return { deferredJson: raw, contentType };
  return { body: parseJsonBody(raw, maxDepth), contentType };
}
