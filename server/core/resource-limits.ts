/**
 * MAX_RESOURCE_BYTES (one resource's JSON) and MAX_BUNDLE_ENTRIES, checked by pure functions so the
 * HTTP layer (before parsing), the body worker threads (before a parsed Bundle is sent back) and the
 * REST layer refuse the same things with the same 413 words.
 */
import { FhirError } from './fhir-error';

export interface BodyLimits {
  maxResourceBytes: number;
  maxBundleEntries: number;
}

export function resourceTooLarge(bytes: number, limit: number, what: string, expression?: string): FhirError {
  return new FhirError(413, 'too-costly', `${what} is ${bytes} bytes of JSON; this server accepts at most ${limit} bytes per resource (MAX_RESOURCE_BYTES)`, expression ? [expression] : undefined);
}

/** Request paths whose body is (or, for PATCH, edits) one resource: create, update, conditional update, patch. */
const TYPE_PATH = /^[A-Z][A-Za-z]{0,63}(\/[^/$]+)?$/;

/** Whether a request's body is (or, for PATCH, edits) one resource; `path` is relative to the FHIR base, without leading slash. */
export function isSingleResourceWrite(method: string, path: string): boolean {
  return method === 'PUT' || method === 'PATCH' ? TYPE_PATH.test(path) : method === 'POST' && /^[A-Z][A-Za-z]{0,63}$/.test(path);
}

export function singleResourceTooLarge(method: string, bytes: number, limit: number): FhirError {
  return resourceTooLarge(bytes, limit, method === 'PATCH' ? 'The patch body' : 'The resource');
}

/** Refuses a single-resource write whose raw body is over the limit, before any parsing. */
export function checkSingleResourceBody(method: string, path: string, bytes: number, limit: number): void {
  if (bytes > limit && isSingleResourceWrite(method, path)) throw singleResourceTooLarge(method, bytes, limit);
}

/** `atLeast`: counted by the byte scan, which stops past the limit. */
export function tooManyEntries(count: number, limit: number, atLeast = false): FhirError {
  return new FhirError(413, 'too-costly', `Bundle has ${atLeast ? 'more than ' : ''}${atLeast ? limit : count} entries; this server accepts at most ${limit} per request (MAX_BUNDLE_ENTRIES). Split it into smaller bundles.`, ['Bundle.entry']);
}

const isBatch = (b: { resourceType?: unknown; type?: unknown }): boolean => b.resourceType === 'Bundle' && (b.type === 'batch' || b.type === 'transaction');

/**
 * A batch/transaction Bundle's entry count and each entry resource's size; other bodies pass. Sizes are
 * UTF-8 bytes of the entry's compact JSON (what the store would hold).
 */
export function checkBundleLimits(body: unknown, limits: BodyLimits): void {
  if (!body || typeof body !== 'object' || Array.isArray(body) || !isBatch(body)) return;
  const entry = (body as { entry?: unknown }).entry;
  if (!Array.isArray(entry)) return;
  if (entry.length > limits.maxBundleEntries) throw tooManyEntries(entry.length, limits.maxBundleEntries);
  entry.forEach((e: unknown, i) => {
    const resource = e && typeof e === 'object' ? (e as { resource?: unknown }).resource : undefined;
    if (resource === undefined) return;
    const bytes = Buffer.byteLength(JSON.stringify(resource) ?? '');
    if (bytes > limits.maxResourceBytes) throw resourceTooLarge(bytes, limits.maxResourceBytes, `Bundle entry ${i}'s resource`, `Bundle.entry[${i}].resource`);
  });
}

const ENTRY = [0x65, 0x6e, 0x74, 0x72, 0x79]; // "entry"

/**
 * Objects and arrays in the top-level "entry" array, counted by a byte scan before parsing (stops past
 * `limit`), so a Bundle of 100,000 entries is refused without building its 300 MB object graph.
 */
export function entryCountExceeds(raw: Uint8Array, limit: number): number | undefined {
  let depth = 0;
  let inString = false;
  let start = 0;
  let keyIsEntry = false;
  let lastIsEntry = false;
  let inEntry = false;
  let count = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) {
        inString = false;
        lastIsEntry = depth === 1 && i - start === 5 && ENTRY.every((b, k) => raw[start + k] === b);
      }
    } else if (c === 0x22) {
      inString = true;
      start = i + 1;
    } else if (c === 0x3a && depth === 1) keyIsEntry = lastIsEntry;
    else if (c === 0x2c && depth === 1) keyIsEntry = false;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth === 2 && c === 0x5b && keyIsEntry) inEntry = true;
      else if (inEntry && depth === 3 && ++count > limit) return count;
    } else if (c === 0x7d || c === 0x5d) {
      if (depth === 2) inEntry = false;
      depth--;
    }
  }
  return undefined;
}
