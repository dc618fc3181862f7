/**
 * Random Bundle entry shapes (null, numbers, strings, arrays, odd requests and resources) against
 * the real app on both drivers: never a 5xx, never a leak, and a refused transaction leaves what is
 * stored exactly as it was (its valid first entry included).
 */
import fc from 'fast-check';
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { leaks, storedFingerprint } from './helpers';

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
/** Jest's limit for a property test: generous per run, so FUZZ_RUNS can scale a run up. */
const TIMEOUT = 60_000 + RUNS * 500;
const SEED = Number(process.env.FUZZ_SEED ?? 4242);

const odd = fc.oneof(fc.constant(null), fc.integer(), fc.string({ maxLength: 8 }), fc.constant([]), fc.array(fc.integer(), { maxLength: 2 }), fc.boolean(), fc.constant({}));
const method = fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'), fc.constantFrom('get', 'TRACE', '', 'POST '), odd);
const url = fc.oneof(
  fc.constantFrom('Patient', 'Patient/fz-b', 'Patient?name=fam', 'Observation', 'Observation?subject.name=%00', '', '%', '/Patient/fz-c', 'http://x', 'http://example.com/fhir/Patient/9',
    'Patient/$validate', 'metadata', 'Patient/_history', 'Bogus/1', 'Patient/a/b/c/d/e', 'Patient?birthdate=0000', 'Patient?_content=,'),
  odd,
);
const reference = fc.constantFrom('Patient/fz-b', 'Patient/0', 'urn:uuid:11111111-1111-4111-8111-111111111111', 'Patient?name=fam', 'Patient?name=%00', 'http://example.com/fhir/Patient/9', '#x');
const resource = fc.oneof(
  odd,
  fc.record({ resourceType: fc.constant('Patient'), id: fc.constantFrom('fz-b', 'fz-c', 'bad id', undefined), active: fc.boolean() }, { requiredKeys: ['resourceType'] }),
  fc.record({ resourceType: fc.constant('Observation'), status: fc.constantFrom('final', 5), code: fc.constant({ text: 'x' }), subject: fc.record({ reference }) }),
  fc.record({ resourceType: fc.constant('Binary'), contentType: fc.constant('application/json-patch+json'), data: fc.constantFrom('W10=', 'bm90IGpzb24=', 5) }),
);
const request_ = fc.oneof(odd, fc.record({ method, url, ifNoneExist: fc.oneof(fc.constantFrom('name=fam', 'name=%00'), odd), ifMatch: fc.oneof(fc.constantFrom('W/"1"', '*', 'x'), odd), ifNoneMatch: fc.constantFrom('*', 'W/"1"') }, { requiredKeys: ['method', 'url'] }));
const entry = fc.oneof(
  odd,
  fc.record({ fullUrl: fc.oneof(fc.constantFrom('urn:uuid:11111111-1111-4111-8111-111111111111', 'http://example.com/fhir/Patient/0', 'Patient/1'), odd), request: request_, resource, response: odd }, { requiredKeys: [] }),
);
const validFirst = { fullUrl: 'http://example.com/fhir/Patient/0', resource: { resourceType: 'Patient', name: [{ family: 'Fam' }] }, request: { method: 'POST', url: 'Patient' } };

describe.each(driversUnderTest())('bundle entry shapes on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(kind); });
  afterAll(async () => { await app.dispose(); });

  test('transactions: no 5xx; a refused one changes nothing that is stored', async () => {
    let refused = 0;
    await fc.assert(fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 4 }), async (entries) => {
      const before = await storedFingerprint(app);
      const res = await request(app.http).post('/fhir').set('Content-Type', 'application/fhir+json')
        .send({ resourceType: 'Bundle', type: 'transaction', entry: [validFirst, ...entries] });
      expect(res.status).toBeLessThan(500);
      expect(leaks(res.text)).toBe(false);
      if (res.status !== 200) {
        refused++;
        expect(res.body.resourceType).toBe('OperationOutcome');
        expect(await storedFingerprint(app)).toBe(before);
      }
    }), { seed: SEED, numRuns: RUNS });
    // The generator is meant to be hostile: most transactions must have been refused.
    expect(refused).toBeGreaterThan(RUNS / 2);
  }, TIMEOUT);

  test('batches: 200 with a response per entry, none of them a 5xx', async () => {
    await fc.assert(fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 4 }), async (entries) => {
      const res = await request(app.http).post('/fhir').set('Content-Type', 'application/fhir+json').send({ resourceType: 'Bundle', type: 'batch', entry: entries });
      expect(res.status).toBe(200);
      expect(leaks(res.text)).toBe(false);
      const responses = (res.body.entry as { response: { status: string } }[]);
      expect(responses).toHaveLength(entries.length);
      for (const r of responses) expect(Number(r.response.status.slice(0, 3))).toBeLessThan(500);
    }), { seed: SEED + 1, numRuns: RUNS });
  }, TIMEOUT);

  test('the issue reproducers: null, number, string and array entries → 400 naming Bundle.entry[i]', async () => {
    for (const [i, bad] of [null, 5, 'x', [1]].entries()) {
      const before = await storedFingerprint(app);
      const res = await request(app.http).post('/fhir').set('Content-Type', 'application/fhir+json')
        .send({ resourceType: 'Bundle', type: 'transaction', entry: [validFirst, bad] });
      expect(res.status).toBe(400);
      expect(res.body.issue[0].expression).toEqual(['Bundle.entry[1]']);
      expect(await storedFingerprint(app)).toBe(before);
      const batch = await request(app.http).post('/fhir').set('Content-Type', 'application/fhir+json').send({ resourceType: 'Bundle', type: 'batch', entry: [bad] });
      expect(batch.status).toBe(200);
      expect(batch.body.entry[0].response.status).toBe('400 Bad Request');
      expect(batch.body.entry[0].response.outcome.issue[0].expression).toEqual(['Bundle.entry[0]']);
      void i;
    }
    const stored = await request(app.http).post('/fhir/Bundle').set('Content-Type', 'application/fhir+json')
      .send({ resourceType: 'Bundle', type: 'batch-response', entry: [{ response: 5 }] });
    expect(stored.status).toBe(422);
    expect(stored.body.issue[0].expression).toEqual(['Bundle.entry[0].response']);
  });
});
