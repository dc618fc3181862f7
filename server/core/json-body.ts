/**
 * JSON request bodies from bytes to a value, checked: nesting depth (a byte scan before parsing),
 * strict UTF-8, JSON syntax, and FHIR string rules on every string (json-strings.ts). Pure, so the
 * HTTP layer and the validation worker threads run the very same checks.
 */
import { FhirError, badRequest } from './fhir-error';
import { findBadString } from './json-strings';

/** Deepest nesting of objects/arrays, scanning bytes outside strings; stops early past `limit`. */
export function jsonDepthExceeds(raw: Uint8Array, limit: number): boolean {
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

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Parses a JSON body; every problem is a 400 FhirError (naming the element for bad strings). */
export function parseJsonBody(raw: Uint8Array, maxDepth: number): unknown {
  if (jsonDepthExceeds(raw, maxDepth)) throw badRequest(`JSON nesting deeper than ${maxDepth} levels is not accepted`);
  let text: string;
  try {
    // strict: a lenient decode would silently turn bad bytes into U+FFFD and store them
    text = UTF8.decode(raw);
  } catch {
    throw badRequest('Request body is not valid UTF-8');
  }
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequest(`Malformed JSON: ${(err as Error).message.slice(0, 200)}`);
  }
  const bad = findBadString(body);
  if (bad) throw new FhirError(400, 'invalid', `Invalid string at ${bad.expression}: ${bad.problem}`, [bad.expression]);
  return body;
}
