/** Request bodies: media type, size (MAX_BODY), charset, JSON syntax and nesting depth, checked before any work. */
import { FhirError, badRequest } from '../core/fhir-error';
import { findBadString } from './json-strings';

const JSON_TYPES = new Set(['application/fhir+json', 'application/json', 'application/json-patch+json', 'text/json']);
const FORM = 'application/x-www-form-urlencoded';

export interface ParsedBody {
  body?: unknown;
  contentType?: string;
}

export function mediaType(header: string | undefined): { type?: string; charset?: string } {
  if (!header) return {};
  const [type, ...params] = header.split(';').map((s) => s.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith('charset='))?.slice(8).replace(/"/g, '');
  return { type, charset };
}

/** Deepest nesting of objects/arrays, scanning bytes outside strings; stops early past `limit`. */
export function jsonDepthExceeds(raw: Buffer, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

export function parseBody(raw: Buffer | undefined, contentTypeHeader: string | undefined, maxDepth: number): ParsedBody {
  if (!raw || raw.length === 0) return {};
  const { type, charset } = mediaType(contentTypeHeader);
  if (!type) throw new FhirError(415, 'not-supported', 'Request has a body but no Content-Type; use application/fhir+json');
  if (charset && charset !== 'utf-8' && charset !== 'utf8') throw new FhirError(415, 'not-supported', `Charset '${charset}' is not supported; use utf-8`);
  if (type === FORM) return { body: raw.toString('utf8'), contentType: type };
  if (!JSON_TYPES.has(type)) {
    throw new FhirError(415, 'not-supported', `Content-Type '${type.slice(0, 80)}' is not supported; this server speaks application/fhir+json`);
  }
  if (jsonDepthExceeds(raw, maxDepth)) throw badRequest(`JSON nesting deeper than ${maxDepth} levels is not accepted`);
  const body = parseJson(decodeUtf8(raw));
  const bad = findBadString(body);
  if (bad) throw badRequest(`Invalid string at ${bad.expression}: ${bad.problem}`, [bad.expression]);
  return { body, contentType: type === 'application/json-patch+json' ? type : 'application/fhir+json' };
}

/** Strict UTF-8: a lenient decode would silently turn bad bytes into U+FFFD and store them. */
function decodeUtf8(raw: Buffer): string {
  try {
    return UTF8.decode(raw);
  } catch {
    throw badRequest('Request body is not valid UTF-8');
  }
}
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequest(`Malformed JSON: ${(err as Error).message.slice(0, 200)}`);
  }
}
