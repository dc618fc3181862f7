/**
 * What `npm run fuzz` sends: seeded fast-check arbitraries for every input path (query strings,
 * Bundles, mutated resources, Parameters, patches, headers, raw bytes), built on the jest fuzz
 * suites' arbitraries (test/fuzz/arbitraries.ts). Requests that may touch the seeded resources say
 * so (`guards`), so the runner can check a refusal left them exactly as they were.
 */
import fc from 'fast-check';
import { bundleEntry, odd, searchQuery, validFirstEntry } from '../../test/fuzz/arbitraries';
import { mutatedResource, patchTarget, seedPatient, seedTargets } from './fuzz-resources';

export interface FuzzRequest {
  kind: string;
  method: string;
  /** Below the server root, e.g. /fhir/Patient?name=x */
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Seeded resources ('Patient/seed-p1') this request may change; empty: it must change none. */
  guards: string[];
}

const FHIR = { 'Content-Type': 'application/fhir+json' };
const json = (kind: string, method: string, path: string, body: unknown, guards: string[] = [], headers: Record<string, string> = FHIR): FuzzRequest =>
  ({ kind, method, path, headers, body: typeof body === 'string' ? body : JSON.stringify(body), guards });

/** An id as a URL path segment; a lone surrogate cannot be percent-encoded, so it is sent as its escape. */
function pathSegment(id: string): string {
  try {
    return encodeURIComponent(id);
  } catch {
    return encodeURIComponent(JSON.stringify(id).slice(1, -1));
  }
}

const search = fc.tuple(fc.constantFrom('Patient', 'Observation', 'Location', 'Condition', 'DocumentReference', ''), searchQuery, fc.constantFrom('GET', 'GET', 'GET', 'POST'))
  .map(([type, pairs, method]): FuzzRequest => {
    const qs = new URLSearchParams(pairs).toString();
    if (method === 'POST') return { kind: 'search', method, path: `/fhir/${type}${type ? '/' : ''}_search`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: qs, guards: [] };
    return { kind: 'search', method, path: `/fhir/${type}${qs ? `?${qs}` : ''}`, headers: {}, guards: [] };
  });

const bundle = fc.tuple(fc.constantFrom('transaction', 'batch', 'collection', 'searchset', 5), fc.array(bundleEntry, { minLength: 0, maxLength: 6 }), fc.boolean())
  .map(([type, entries, withValid]) => json('bundle', 'POST', '/fhir', { resourceType: 'Bundle', type, entry: withValid ? [validFirstEntry, ...entries] : entries }));

/** A valid change to a seed plus a broken entry: the whole transaction must be refused, the seed untouched. */
const seedTransaction = fc.tuple(fc.integer({ min: 0, max: 9 }), bundleEntry).map(([n, bad]) => {
  const target = `Patient/seed-p${n}`;
  const entry = [{ fullUrl: `urn:uuid:00000000-0000-4000-8000-00000000000${n}`, resource: { ...seedPatient(n), active: false }, request: { method: 'PUT', url: target } }, bad];
  return json('seed-transaction', 'POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry }, [target]);
});

const resourceWrite = fc.tuple(mutatedResource, fc.constantFrom('POST', 'PUT'), fc.boolean()).map(([r, method, onSeed]) => {
  const type = typeof r.resourceType === 'string' && /^[A-Za-z]{1,40}$/.test(r.resourceType) ? r.resourceType : 'Patient';
  if (method === 'POST') return json('resource', 'POST', `/fhir/${type}`, r);
  const id = onSeed && type === 'Patient' ? 'seed-p3' : typeof r.id === 'string' ? pathSegment(r.id) : 'fz-put';
  return json(onSeed ? 'seed-update' : 'resource', 'PUT', `/fhir/${type}/${id}`, r, id.startsWith('seed-') ? [`Patient/${id}`] : []);
});

const OPERATIONS = ['Patient/$validate', 'Observation/$validate', 'Patient/seed-p1/$validate', 'Condition/c1/$verify', '$verify', 'Patient/fz-b/$everything', 'Patient/$everything',
  'CodeSystem/$lookup', 'CodeSystem/$subsumes', 'CodeSystem/$validate-code', 'ValueSet/$expand', 'ValueSet/$validate-code', 'ConceptMap/$translate', 'Composition/c1/$document', '$bogus', 'Patient/$twin'];
const PARAM_NAMES = ['resource', 'mode', 'profile', 'system', 'code', 'version', 'url', 'valueSet', 'coding', 'codeA', 'codeB', 'decision', 'finding', 'reason', 'start', 'end', '_count', 'count', 'filter', 'target', ''];
const paramValue = fc.oneof(
  fc.record({ valueString: fc.oneof(fc.string({ maxLength: 12 }), odd) }),
  fc.record({ valueCode: fc.oneof(fc.constantFrom('accept', 'reject', 'create', 'update', 'delete', 'M', 'x|y'), odd) }),
  fc.record({ valueUri: fc.constantFrom('http://loinc.org', 'http://snomed.info/sct', 'urn:x', '', 'javascript:x') }),
  fc.record({ valueCoding: fc.oneof(fc.record({ system: fc.constantFrom('http://loinc.org', 'x'), code: fc.oneof(fc.constantFrom('8867-4', ''), odd) }), odd) }),
  fc.record({ valueInteger: fc.oneof(fc.integer(), fc.constant(1e300)) }),
  fc.record({ resource: fc.oneof(odd, mutatedResource) }),
  fc.record({ part: fc.array(fc.oneof(odd, fc.record({ name: fc.constantFrom(...PARAM_NAMES), valueString: fc.string({ maxLength: 5 }) })), { maxLength: 3 }) }),
  odd,
);
const parameter = fc.oneof(odd, fc.tuple(fc.oneof(fc.constantFrom(...PARAM_NAMES), odd), paramValue).map(([name, v]) => (v && typeof v === 'object' && !Array.isArray(v) ? { name, ...v } : { name, value: v })));
const operation = fc.tuple(fc.constantFrom(...OPERATIONS), fc.oneof(fc.array(parameter, { maxLength: 5 }), odd), fc.constantFrom('POST', 'POST', 'GET'))
  .map(([op, parameters, method]) => (method === 'GET'
    ? { kind: 'operation', method, path: `/fhir/${op}?system=http://loinc.org&code=8867-4&url=${encodeURIComponent('http://x|1')}`, headers: {}, guards: [] }
    : json('operation', 'POST', `/fhir/${op}`, { resourceType: 'Parameters', parameter: parameters }, op.includes('seed-') ? ['Patient/seed-p1'] : [])));

const PATCH_PATHS = ['', '/', '/name', '/name/0', '/name/-', '/name/0/given/9999', '/id', '/meta', '/resourceType', '/a/b/c', '~1', '/active', '/birthDate', '/text/div'];
const jsonPatchOp = fc.oneof(odd, fc.record({ op: fc.constantFrom('add', 'remove', 'replace', 'copy', 'move', 'test', 'bogus'), path: fc.oneof(fc.constantFrom(...PATCH_PATHS), odd), from: fc.constantFrom(...PATCH_PATHS), value: fc.oneof(odd, fc.constant({ family: 'x' }), fc.constant('<div>x</div>'), fc.constant('\u0000')) }, { requiredKeys: ['op'] }));
const fhirPathOp = fc.record({ name: fc.constant('operation'), part: fc.array(fc.oneof(odd, fc.tuple(fc.constantFrom('type', 'path', 'name', 'value', 'index', 'source', 'destination'), fc.oneof(fc.constantFrom('add', 'insert', 'delete', 'replace', 'move', 'Patient', 'Patient.name', 'Patient.name[0]', 'Patient.descendants()', 'Patient.name.repeat(name)', '%', ''), odd)).map(([name, v]) => ({ name, valueString: v }))), { maxLength: 5 }) });
const patch = fc.tuple(fc.boolean(), fc.oneof(fc.array(jsonPatchOp, { maxLength: 20 }), odd), fc.array(fc.oneof(fhirPathOp, odd), { maxLength: 4 }), patchTarget).map(([jsonPatch, ops, fpOps, target]) => (jsonPatch
  ? json('patch', 'PATCH', `/fhir/${target}`, ops, seedTargets(target), { 'Content-Type': 'application/json-patch+json' })
  : json('patch', 'PATCH', `/fhir/${target}`, { resourceType: 'Parameters', parameter: fpOps }, seedTargets(target))));

const printable = fc.string({ maxLength: 30 }).map((s) => s.replace(/[^\x20-\x7e]/g, '?'));
const headers = fc.record({
  'Content-Type': fc.oneof(fc.constantFrom('application/fhir+json', 'application/json; charset=latin1', 'application/fhir+xml', 'text/plain', 'multipart/form-data', 'application/json-patch+json', 'x/y; charset="utf-8"'), printable),
  'Content-Encoding': fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'compress', 'gzip, br'),
  Accept: fc.oneof(fc.constantFrom('application/xml', 'text/html', '*/*', 'application/fhir+json;q=0', 'application/pdf'), printable),
  Prefer: fc.oneof(fc.constantFrom('return=representation', 'return=OperationOutcome', 'respond-async', 'handling=strict'), printable),
  'If-Match': fc.oneof(fc.constantFrom('W/"1"', '*', 'W/"x"', '"1"'), printable),
  'If-None-Match': fc.constantFrom('*', 'W/"1"', 'x'),
  'If-None-Exist': fc.oneof(fc.constantFrom('name=fam', 'name=%00', '_id=', 'bogus=1'), printable),
  'If-Modified-Since': fc.oneof(fc.constantFrom('Wed, 21 Oct 2015 07:28:00 GMT', '0000'), printable),
  'X-Security-Context': printable,
  Authorization: fc.constantFrom('Bearer x', 'Bearer ', 'Basic eDp5', 'x'),
}, { requiredKeys: [] });
const headerRequest = fc.tuple(headers, fc.constantFrom('GET /fhir/Patient', 'POST /fhir/Patient', 'PUT /fhir/Patient/fz-h', 'GET /fhir/Patient/fz-b', 'POST /fhir', 'GET /fhir/metadata', 'GET /fhir/Binary/fz-bin', 'PUT /fhir/Patient/seed-p5'), fc.boolean())
  .map(([h, line, withBody]): FuzzRequest => {
    const [method, path] = line.split(' ');
    const body = withBody && method !== 'GET' ? JSON.stringify(path.includes('seed-') ? { ...seedPatient(5), active: false } : { resourceType: 'Patient', id: 'fz-h', name: [{ family: 'Fam' }] }) : undefined;
    return { kind: 'headers', method, path, headers: h, body, guards: path.includes('seed-') ? ['Patient/seed-p5'] : [] };
  });

const RAW_TEXTS = ['{', '{"resourceType":"Patient",}', '{"resourceType":"Patient","resourceType":"Observation"}', '\ufeff{"resourceType":"Patient"}', 'null', '[]', '"x"', '1e400',
  '{"resourceType":"Patient","birthDate":1e400}', '{"resourceType":"Patient","name":[{"text":"\\ud800"}]}', '{"resourceType":"Patient","name":[{"text":"a\\u0000b"}]}', '{"__proto__":{"x":1},"resourceType":"Patient"}'];
const rawBody = fc.tuple(fc.oneof(fc.constantFrom(...RAW_TEXTS).map((t) => Buffer.from(t)), fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)), fc.integer({ min: 65, max: 5000 }).map((d) => Buffer.from('['.repeat(d) + ']'.repeat(d)))), fc.constantFrom('/fhir/Patient', '/fhir', '/fhir/Patient/$validate', '/fhir/Patient/fz-b'))
  .map(([body, path]): FuzzRequest => ({ kind: 'raw', method: path.endsWith('fz-b') ? 'PUT' : 'POST', path, headers: FHIR, body, guards: [] }));

/** The weighted mix of every input path. */
export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  { weight: 28, arbitrary: search },
  { weight: 14, arbitrary: bundle },
  { weight: 4, arbitrary: seedTransaction },
  { weight: 16, arbitrary: resourceWrite },
  { weight: 12, arbitrary: operation },
  { weight: 12, arbitrary: patch },
  { weight: 8, arbitrary: headerRequest },
  { weight: 6, arbitrary: rawBody },
);
