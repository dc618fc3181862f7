/**
 * The one place where failures become HTTP: FhirErrors keep their status (the store already turned
 * database failures into FhirErrors); express's own body errors get a clear status; everything else
 * is a 500 without details (the stack goes to the log, never to the client).
 */
import { FhirError } from '../core/fhir-error';

/** What body-parser puts on its errors. */
interface ErrorLike {
  type?: string;
}

export function toFhirError(err: unknown): { error: FhirError; internal: boolean } {
  // 503s from the store carry the driver's error as `cause`: worth a log line, not a stack to the client.
  if (err instanceof FhirError) return { error: err, internal: err.status >= 500 };
  const e = (err ?? {}) as ErrorLike;
  if (e.type === 'entity.too.large') return { error: new FhirError(413, 'too-costly', 'Request body is larger than MAX_BODY'), internal: false };
  if (e.type === 'entity.parse.failed' || e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
    return { error: new FhirError(400, 'invalid', 'Request body could not be read'), internal: false };
  }
  if (e.type === 'request.aborted') return { error: new FhirError(400, 'incomplete', 'Request was aborted by the client'), internal: false };
  return { error: new FhirError(500, 'exception', 'Internal server error'), internal: true };
}
