/**
 * fast-check arbitraries for hostile input, pure (fast-check only): the jest fuzz suites run them
 * seeded and briefly, `npm run fuzz` (bench/fuzz.ts) draws thousands of requests from them.
 */
import fc from 'fast-check';

/** Values of the wrong JSON kind wherever something else is expected. */
export const odd = fc.oneof(fc.constant(null), fc.integer(), fc.string({ maxLength: 8 }), fc.constant([]), fc.array(fc.integer(), { maxLength: 2 }), fc.boolean(), fc.constant({}));

// ---- Bundle entries (bundle-shapes.test.ts) ----
const method = fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'), fc.constantFrom('get', 'TRACE', '', 'POST '), odd);
const url = fc.oneof(
  fc.constantFrom('Patient', 'Patient/fz-b', 'Patient?name=fam', 'Observation', 'Observation?subject.name=%00', '', '%', '/Patient/fz-c', 'http://x', 'http://example.com/fhir/Patient/9',
    'Patient/$validate', 'metadata', 'Patient/_history', 'Bogus/1', 'Patient/a/b/c/d/e', 'Patient?birthdate=0000', 'Patient?_content=,'),
  odd,
);
const reference = fc.constantFrom('Patient/fz-b', 'Patient/0', 'urn:uuid:11111111-1111-4111-8111-111111111111', 'Patient?name=fam', 'Patient?name=%00', 'http://example.com/fhir/Patient/9', '#x');
const entryResource = fc.oneof(
  odd,
  fc.record({ resourceType: fc.constant('Patient'), id: fc.constantFrom('fz-b', 'fz-c', 'bad id', undefined), active: fc.boolean() }, { requiredKeys: ['resourceType'] }),
  fc.record({ resourceType: fc.constant('Observation'), status: fc.constantFrom('final', 5), code: fc.constant({ text: 'x' }), subject: fc.record({ reference }) }),
  fc.record({ resourceType: fc.constant('Binary'), contentType: fc.constant('application/json-patch+json'), data: fc.constantFrom('W10=', 'bm90IGpzb24=', 5) }),
);
const entryRequest = fc.oneof(odd, fc.record({ method, url, ifNoneExist: fc.oneof(fc.constantFrom('name=fam', 'name=%00'), odd), ifMatch: fc.oneof(fc.constantFrom('W/"1"', '*', 'x'), odd), ifNoneMatch: fc.constantFrom('*', 'W/"1"') }, { requiredKeys: ['method', 'url'] }));

/** One Bundle entry of any shape: null, numbers, arrays, odd requests and resources. */
export const bundleEntry = fc.oneof(
  odd,
  fc.record({ fullUrl: fc.oneof(fc.constantFrom('urn:uuid:11111111-1111-4111-8111-111111111111', 'http://example.com/fhir/Patient/0', 'Patient/1'), odd), request: entryRequest, resource: entryResource, response: odd }, { requiredKeys: [] }),
);

/** A valid create that a refused transaction must not leave behind. */
export const validFirstEntry = { fullUrl: 'http://example.com/fhir/Patient/0', resource: { resourceType: 'Patient', name: [{ family: 'Fam' }] }, request: { method: 'POST', url: 'Patient' } };

// ---- query strings (search-input.test.ts) ----
export const SEARCH_NAMES = [
  'name', 'family', 'birthdate', 'gender', 'identifier', '_id', '_lastUpdated', '_content', '_text', '_tag', 'general-practitioner',
  'code', 'value-quantity', 'subject', 'subject:Patient.name', 'date', 'code-value-quantity', '_has:Observation:subject:code',
  'near', 'name:exact', 'name:contains', 'gender:not', 'code:text', 'birthdate:missing', '_sort', '_count', '_include', '_revinclude',
  '_total', '_summary', '_elements', '_cursor', '_type', 'bogus', 'subject.organization.partof.name',
];
const PIECES = ['', ',', '|', '$', '\\', '\\,', 'eq', 'ap', 'gt', 'sa', '2000', '2000-13', '0000', '9999-12-31T23:59:59Z', '-1e400', '1.5',
  'http://loinc.org', 'Patient/1', 'km', '%', '_', ' ', '\u0000', '\u0001', '\u007f', '\ud800', 'é', '日本', 'Observation:subject', '*', 'true'];

export const searchValue = fc.oneof(
  fc.array(fc.constantFrom(...PIECES), { maxLength: 6 }).map((a) => a.join('')),
  fc.string({ maxLength: 20, unit: 'binary' }),
);
/** One `name=value` pair: known parameters with modifiers and chains, or random names. */
export const searchParam = fc.tuple(fc.oneof(fc.constantFrom(...SEARCH_NAMES), fc.string({ maxLength: 12 })), searchValue);
/** A whole query: a few random pairs, or one parameter repeated around the 100-value cap. */
export const searchQuery = fc.oneof(
  fc.array(searchParam, { maxLength: 12 }),
  fc.tuple(fc.constantFrom('name', 'code', 'birthdate', '_id'), fc.integer({ min: 90, max: 140 })).map(([n, k]) => Array.from({ length: k }, (_, i) => [n, `v${i}`] as [string, string])),
);
