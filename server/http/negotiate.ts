/** Response format negotiation: Accept and _format; FHIR JSON only (anything else is 406). */
import { FhirError } from '../core/fhir-error';

const JSON_FORMATS = new Set(['json', 'application/json', 'application/fhir+json', 'text/json']);

export interface ResponseFormat {
  contentType: string;
  pretty: boolean;
}

export function negotiate(accept: string | undefined, format: string | undefined, pretty: string | undefined): ResponseFormat {
  let contentType = 'application/fhir+json; charset=utf-8';
  if (format !== undefined) {
    const f = format.split(';')[0].trim().toLowerCase();
    if (!JSON_FORMATS.has(f)) throw new FhirError(406, 'not-supported', `_format '${format.slice(0, 40)}' is not supported; only JSON is served`);
  } else if (accept) {
    const types = accept.split(',').map((t) => t.split(';')[0].trim().toLowerCase());
    const ok = types.some((t) => JSON_FORMATS.has(t) || t === '*/*' || t === 'application/*' || t === 'text/*' || t === 'application/fhir+ndjson');
    if (!ok) throw new FhirError(406, 'not-supported', `Cannot produce '${accept.slice(0, 80)}'; this server serves application/fhir+json`);
    if (types[0] === 'application/json') contentType = 'application/json; charset=utf-8';
  }
  return { contentType, pretty: pretty === 'true' };
}
