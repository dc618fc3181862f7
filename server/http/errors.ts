/**
 * The one place where failures become HTTP: FhirErrors keep their status (the store already turned
 * database failures into FhirErrors); express's own body errors get a clear status; everything else
 * is a 500 without details (the stack goes to the log, never to the client).
 */
import { FhirError } from '../core/fhir-error';

/** What body-parser puts on its errors. */
interface ErrorLike {
  type?: string;
  status?: number;
  code?: string;
}

export function toFhirError(err: unknown): { error: FhirError; internal: boolean } {
  // 503s from the store carry the driver's error as `cause`: worth a log line, not a stack to the client.
  if (err instanceof FhirError) return { error: err, internal: err.status >= 500 };
  const e = (err ?? {}) as ErrorLike;
  if (e.type === 'entity.too.large') return { error: new FhirError(413, 'too-costly', 'Request body is larger than MAX_BODY'), internal: false };
  if (e.type === 'encoding.unsupported') {
    return { error: new FhirError(415, 'not-supported', 'Unsupported Content-Encoding: use identity, gzip, deflate or br'), internal: false };
  }
  if (e.type === 'entity.parse.failed' || e.type === 'charset.unsupported') {
    return { error: new FhirError(400, 'invalid', 'Request body could not be read'), internal: false };
  }
  if (e.type === 'request.aborted') return { error: new FhirError(400, 'incomplete', 'Request was aborted by the client'), internal: false };
  // body-parser marks a body that claims gzip/deflate/br but does not decompress (zlib error) as 400
  if (typeof e.code === 'string' && (e.code.startsWith('Z_') || (e.status === 400 && e.type === undefined))) {
    return { error: new FhirError(400, 'invalid', 'Request body does not match its Content-Encoding (it could not be decompressed)'), internal: false };
  }
  return { error: new FhirError(500, 'exception', 'Internal server error'), internal: true };
}
