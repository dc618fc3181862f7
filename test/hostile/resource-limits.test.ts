/**
 * MAX_RESOURCE_BYTES (issue 12): one resource's JSON is bounded — a create/update body before it is
 * parsed, a PATCH body and result, each batch/transaction entry (in the body worker for large bodies)
 * — with a 413 OperationOutcome that names the limit, and nothing is written.
 */
import fc from 'fast-check';
import request from 'supertest';
import { FhirError } from '../../server/core/fhir-error';
import { checkBundleLimits, checkSingleResourceBody, entryCountExceeds } from '../../server/core/resource-limits';
import { driversUnderTest } from '../support/databases';
import { startTestApp, type TestApp } from '../support/test-app';

const FHIR = 'application/fhir+json';
const LIMIT = 8 * 1024;

const statusOf = (f: () => void): number | undefined => {
  try {
    f();
    return undefined;
  } catch (err) {
    return err instanceof FhirError ? err.status : -1;
  }
};

const patient = (textBytes: number) => ({ resourceType: 'Patient', name: [{ text: 'x'.repeat(textBytes) }] });
const txn = (resources: object[]) => ({ resourceType: 'Bundle', type: 'transaction', entry: resources.map((resource) => ({ resource, request: { method: 'POST', url: 'Patient' } })) });

describe('resource limits, pure', () => {
  it('single-resource writes over the limit are 413; searches, operations and Bundles posted to the base are not judged here', () => {
    expect(statusOf(() => checkSingleResourceBody('POST', 'Patient', LIMIT + 1, LIMIT))).toBe(413);
    expect(statusOf(() => checkSingleResourceBody('PUT', 'Patient/a1', LIMIT + 1, LIMIT))).toBe(413);
    expect(statusOf(() => checkSingleResourceBody('PUT', 'Patient', LIMIT + 1, LIMIT))).toBe(413);
    expect(statusOf(() => checkSingleResourceBody('PATCH', 'Patient/a1', LIMIT + 1, LIMIT))).toBe(413);
    expect(statusOf(() => checkSingleResourceBody('POST', 'Patient', LIMIT, LIMIT))).toBeUndefined();
    for (const path of ['', 'Patient/_search', 'Patient/$validate', '$import']) expect(statusOf(() => checkSingleResourceBody('POST', path, LIMIT * 100, LIMIT))).toBeUndefined();
  });

  it('property: a single-resource write is refused exactly when it is over the limit', () => {
    fc.assert(fc.property(fc.constantFrom('POST', 'PUT'), fc.nat({ max: 4 * LIMIT }), (method, bytes) => {
      expect(statusOf(() => checkSingleResourceBody(method, method === 'PUT' ? 'Observation/o-1' : 'Observation', bytes, LIMIT))).toBe(bytes > LIMIT ? 413 : undefined);
    }), { seed: 1212, numRuns: 300 });
  });

  it('property: a batch/transaction is refused iff an entry resource is over the limit or there are too many entries; other bodies pass', () => {
    const sizes = fc.array(fc.nat({ max: 2 * LIMIT }), { maxLength: 8 });
    fc.assert(fc.property(sizes, fc.constantFrom('batch', 'transaction', 'collection'), fc.integer({ min: 1, max: 8 }), (lengths, type, maxBundleEntries) => {
      const body = { ...txn(lengths.map(patient)), type };
      const over = lengths.some((n) => Buffer.byteLength(JSON.stringify(patient(n))) > LIMIT) || lengths.length > maxBundleEntries;
      let err: FhirError | undefined;
      try { checkBundleLimits(body, { maxResourceBytes: LIMIT, maxBundleEntries }); } catch (e) { err = e as FhirError; }
      expect(err?.status).toBe(type !== 'collection' && over ? 413 : undefined);
      if (err) expect(err.issues[0].diagnostics).toMatch(/MAX_RESOURCE_BYTES|MAX_BUNDLE_ENTRIES/);
    }), { seed: 1213, numRuns: 300 });
  });

  it('property: the pre-parse byte scan counts the top-level entry array exactly as the parser would', () => {
    const value = fc.jsonValue({ maxDepth: 3 });
    const bundle = fc.record({ resourceType: fc.constant('Bundle'), type: fc.constantFrom('batch', 'transaction'), meta: value, entry: fc.array(fc.record({ resource: value, fullUrl: fc.string() }), { maxLength: 12 }) });
    fc.assert(fc.property(bundle, fc.nat({ max: 12 }), (b, limit) => {
      const raw = new TextEncoder().encode(JSON.stringify(b));
      expect(entryCountExceeds(raw, limit)).toBe(b.entry.length > limit ? limit + 1 : undefined);
    }), { seed: 1214, numRuns: 500 });
    // nested "entry" keys and "entry" inside strings are not the Bundle's
    const tricky = new TextEncoder().encode('{"a":{"entry":[{},{}]},"b":"\\"entry\\":[{}]","entry":[{}]}');
    expect(entryCountExceeds(tricky, 0)).toBe(1);
    expect(entryCountExceeds(tricky, 1)).toBeUndefined();
  });

  it('multi-byte text counts in UTF-8 bytes', () => {
    const wide = { resourceType: 'Patient', name: [{ text: 'é'.repeat(LIMIT / 2) }] };
    expect(statusOf(() => checkBundleLimits(txn([wide]), { maxResourceBytes: LIMIT, maxBundleEntries: 10 }))).toBe(413);
  });
});

describe.each(driversUnderTest())('MAX_RESOURCE_BYTES over HTTP on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(kind, { MAX_RESOURCE_BYTES: '8kb', MAX_BODY: '2mb' }); });
  afterAll(async () => { await app.dispose(); });
  const send = (method: 'post' | 'put' | 'patch', path: string, body: object, type = FHIR) => request(app.http)[method](path).set('Content-Type', type).send(JSON.stringify(body));
  const refused = (res: request.Response, expression?: string): void => {
    expect(res.status).toBe(413);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.body.issue[0].diagnostics).toMatch(/MAX_RESOURCE_BYTES/);
    if (expression) expect(res.body.issue[0].expression).toEqual([expression]);
  };
  const count = async (family: string): Promise<number> => (await request(app.http).get(`/fhir/Patient?family=${family}&_summary=count`)).body.total;

  it('a create or update over the limit is 413 naming the limit; just under is stored', async () => {
    refused(await send('post', '/fhir/Patient', { ...patient(LIMIT), name: [{ family: 'Big', text: 'x'.repeat(LIMIT) }] }));
    refused(await send('put', '/fhir/Patient/big-1', { ...patient(LIMIT), id: 'big-1' }));
    expect((await request(app.http).get('/fhir/Patient/big-1')).status).toBe(404);
    expect(await count('Big')).toBe(0);
    expect((await send('post', '/fhir/Patient', patient(LIMIT - 200))).status).toBe(201);
  });

  it('a small transaction with one entry over the limit is 413 at that entry and writes nothing', async () => {
    const res = await send('post', '/fhir', txn([{ resourceType: 'Patient', name: [{ family: 'Txn' }] }, patient(LIMIT)]));
    refused(res, 'Bundle.entry[1].resource');
    expect(await count('Txn')).toBe(0);
  });

  it('a large transaction (parsed in the body worker) with one entry over the limit is 413 at that entry', async () => {
    const many = Array.from({ length: 60 }, () => ({ resourceType: 'Patient', name: [{ family: 'Many', text: 'y'.repeat(5000) }] }));
    const res = await send('post', '/fhir', txn([...many, patient(LIMIT)]));
    refused(res, 'Bundle.entry[60].resource');
    expect(await count('Many')).toBe(0);
  });

  it('a FHIRPath Patch that grows the resource past the limit is 413 and the stored one is unchanged', async () => {
    const id = (await send('post', '/fhir/Patient', { resourceType: 'Patient', name: [{ family: 'Grow', text: 'g'.repeat(5000) }] })).body.id as string;
    const add = { name: 'operation', part: [{ name: 'type', valueCode: 'add' }, { name: 'path', valueString: 'Patient' }, { name: 'name', valueString: 'name' }, { name: 'value', valueHumanName: { text: 'z'.repeat(4000) } }] };
    const res = await send('patch', `/fhir/Patient/${id}`, { resourceType: 'Parameters', parameter: [add] });
    refused(res);
    expect(res.body.issue[0].diagnostics).toMatch(/patched resource/);
    expect((await request(app.http).get(`/fhir/Patient/${id}`)).body.meta.versionId).toBe('1');
  });
});
