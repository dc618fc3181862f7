/**
 * Binary in its native form (https://hl7.org/fhir/R4/binary.html#rest, http.html#binary): a raw
 * POST/PUT of non-FHIR bytes stores a Binary with that contentType; a read whose Accept names a
 * non-FHIR type gets the bytes back with the Binary's own Content-Type. `_format` keeps the FHIR form.
 */
import type { Binary } from 'fhir/r4';
import type { Response } from 'express';
import { FhirError, badRequest } from '../core/fhir-error';
import type { FhirResponse } from '../rest/types';
import { mediaType } from './body';

/**
 * Media types read as FHIR (or as a form / patch) by body.ts rather than as a Binary's content;
 * FHIR XML is a Binary resource in a format we do not speak (415 there), not bytes to keep.
 */
const FHIR_BODY_TYPES = new Set([
  'application/fhir+json', 'application/json', 'application/json-patch+json', 'text/json', 'application/x-www-form-urlencoded',
  'application/fhir+xml', 'application/xml+fhir', 'application/fhir+turtle',
]);
const FHIR_ACCEPT = new Set(['application/fhir+json', 'application/json', 'text/json', 'json', 'application/fhir+ndjson']);
const BINARY_PATH = /^\/?Binary(?:\/([A-Za-z0-9\-.]{1,64}))?(\/_history\/[^/]+)?\/?$/;
const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;
const SECURITY_CONTEXT = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/;

/**
 * The Binary a raw upload stands for, or undefined when the request is not one (not POST /Binary
 * or PUT /Binary/id, or its body is FHIR JSON, which body.ts parses as usual).
 */
export function binaryUpload(method: string, path: string, contentType: string | undefined, raw: Buffer | undefined, securityContext: string | undefined): Binary | undefined {
  const m = BINARY_PATH.exec(path);
  if (!m || m[2] || !((method === 'POST' && !m[1]) || (method === 'PUT' && m[1]))) return undefined;
  const { type } = mediaType(contentType);
  if (!type || FHIR_BODY_TYPES.has(type)) return undefined;
  if (!MEDIA_TYPE.test(type)) throw badRequest(`Content-Type '${type.slice(0, 80)}' is not a valid media type`);
  const binary: Binary = { resourceType: 'Binary', contentType: (contentType ?? type).trim().slice(0, 200) };
  if (m[1]) binary.id = m[1];
  if (raw && raw.length) binary.data = raw.toString('base64');
  if (securityContext !== undefined) {
    if (!SECURITY_CONTEXT.test(securityContext.trim())) throw badRequest('X-Security-Context must be a relative reference Type/id', ['Binary.securityContext']);
    binary.securityContext = { reference: securityContext.trim() };
  }
  return binary;
}

function acceptTypes(accept: string | undefined): string[] {
  return (accept ?? '').split(',').map((t) => t.split(';')[0].trim().toLowerCase()).filter(Boolean);
}

/** Whether a read of a Binary is to be answered with its native bytes rather than as FHIR JSON. */
export function wantsNativeBinary(method: string, path: string, accept: string | undefined, format: string | undefined): boolean {
  if ((method !== 'GET' && method !== 'HEAD') || format !== undefined) return false;
  const m = BINARY_PATH.exec(path);
  if (!m?.[1]) return false;
  const types = acceptTypes(accept);
  // No Accept, or one that allows FHIR JSON, keeps the FHIR form (what every FHIR client expects).
  return types.length > 0 && !types.some((t) => FHIR_ACCEPT.has(t) || t === '*/*');
}

function accepts(types: string[], contentType: string): boolean {
  const [major] = contentType.split('/');
  return types.some((t) => t === contentType || t === `${major}/*` || t === '*/*');
}

/** Sends a read's Binary as raw bytes; 406 when the Binary's type is not among those accepted. */
export function sendNativeBinary(res: Response, out: FhirResponse, accept: string | undefined, head: boolean): boolean {
  if (out.status !== 200) return false;
  const binary = (out.body ?? (out.rawJson ? JSON.parse(out.rawJson) : undefined)) as Binary | undefined;
  if (binary?.resourceType !== 'Binary') return false;
  const printable = (v: unknown): v is string => typeof v === 'string' && /^[\x20-\x7e]{1,200}$/.test(v);
  const full = printable(binary.contentType) ? binary.contentType : 'application/octet-stream';
  const type = mediaType(full).type ?? 'application/octet-stream';
  if (!accepts(acceptTypes(accept), type)) {
    throw new FhirError(406, 'not-supported', `Binary/${binary.id ?? ''} is ${type.slice(0, 80)}, not what Accept asks for; use _format=json for the FHIR form`);
  }
  const bytes = Buffer.from(typeof binary.data === 'string' ? binary.data : '', 'base64');
  // Stored bytes are someone else's content: never let a browser run them in our origin.
  res.status(200).set({ ...out.headers, 'Content-Type': full, 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "sandbox; default-src 'none'" });
  if (printable(binary.securityContext?.reference)) res.set('X-Security-Context', binary.securityContext.reference);
  res.set('Content-Length', String(bytes.length));
  if (head) res.end();
  else res.end(bytes);
  return true;
}
