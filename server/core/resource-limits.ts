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

/** Refuses a single-resource write whose raw body is over the limit, before any parsing. */
export function checkSingleResourceBody(method: string, path: string, bytes: number, limit: number): void {
  if (bytes <= limit) return;
  const single = method === 'PUT' || method === 'PATCH' ? TYPE_PATH.test(path) : method === 'POST' && /^[A-Z][A-Za-z]{0,63}$/.test(path);
  if (single) throw resourceTooLarge(bytes, limit, method === 'PATCH' ? 'The patch body' : 'The resource');
}

export function tooManyEntries(count: number, limit: number): FhirError {
  return new FhirError(413, 'too-costly', `Bundle has ${count} entries; this server accepts at most ${limit} per request (MAX_BUNDLE_ENTRIES). Split it into smaller bundles.`, ['Bundle.entry']);
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
