/**
 * Hostile kick-off parameters (query strings, Parameters bodies, headers) against the real app on both
 * drivers: every answer is a 202 or a 4xx OperationOutcome, never a 5xx and never internals; the parser
 * alone only ever throws FhirErrors with a 4xx status. Plus examples of each rule.
 */
import fc from 'fast-check';
import request from 'supertest';
import { parseExportParams } from '../../server/bulk/export/params';
import { FhirError } from '../../server/core/fhir-error';
import { createSearchRegistry } from '../../server/search/registry';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { leaks } from '../fuzz/helpers';

const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const SEED = Number(process.env.FUZZ_SEED ?? 1414);
const NAMES = ['_type', '_since', '_typeFilter', '_outputFormat', '_elements', '_pseudonymize', 'includeAssociatedData', 'patient', '_count', 'bogus', '_format'];
const PIECES = ['', ',', '?', '&', '=', '%', '%3F', '%2C', '%zz', 'Patient', 'Observation', 'Observation?code=1', 'Observation?_sort=date', 'Patient?name:exact=Ann',
  'Observation?subject:Patient.name=x', 'Group', 'Bogus', 'AuditEvent', '2024-01-01T00:00:00Z', '2024-13-01', '9999-12-31T23:59:59+14:00', 'ndjson',
  'application/fhir+ndjson', 'text/csv', 'gdpr-default', '../profiles/gdpr-default', 'GDPR-default', 'LatestProvenanceResources', 'Patient/1', 'id', 'Patient.name', '\u0000', '\ud800', '日本', ' '];
const value = fc.oneof(fc.array(fc.constantFrom(...PIECES), { maxLength: 6 }).map((a) => a.join('')), fc.string({ maxLength: 24, unit: 'binary' }));
const pairs = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...NAMES), fc.string({ maxLength: 10 })), value), { maxLength: 8 });

test('the parameter parser throws only 4xx FhirErrors', () => {
  const registry = createSearchRegistry();
  fc.assert(fc.property(pairs, fc.constantFrom('system', 'patient', 'group') as fc.Arbitrary<'system' | 'patient' | 'group'>, (p, level) => {
    try {
      parseExportParams(registry, p, level);
    } catch (err) {
      if (!(err instanceof FhirError) || err.status >= 500 || err.status < 400) throw err;
    }
  }), { numRuns: RUNS * 5, seed: SEED });
});

describe.each(driversUnderTest())('kick-off input on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(kind, { EXPORT_WORKERS: '0', PSEUDONYMIZATION_KEY: 'k6H1wqf3VbXJ4m0rT8yZpL2sN9dC5eA7gU1iO3hK6jQ=' }); });
  afterAll(async () => { await app.dispose(); });

  const check = (res: request.Response): void => {
    expect(res.status === 202 || (res.status >= 400 && res.status < 500)).toBe(true);
    if (res.status !== 202) {
      expect(JSON.parse(res.text).resourceType).toBe('OperationOutcome');
      expect(leaks(res.text)).toBe(false);
    }
  };

  test('hostile query strings → 202 or a 4xx OperationOutcome', async () => {
    await fc.assert(fc.asyncProperty(pairs, fc.constantFrom('$export', 'Patient/$export', 'Group/g1/$export'), async (p, path) => {
      const qs = new URLSearchParams(p).toString();
      check(await request(app.http).get(`/fhir/${path}?${qs}`).set('Prefer', 'respond-async'));
    }), { numRuns: RUNS, seed: SEED });
  }, 300_000);

  test('hostile Parameters bodies → 202 or a 4xx OperationOutcome', async () => {
    const part = fc.record({ name: fc.oneof(fc.constantFrom(...NAMES), fc.string({ maxLength: 8 })), valueString: value });
    const body = fc.oneof(
      fc.record({ resourceType: fc.constant('Parameters'), parameter: fc.array(part, { maxLength: 6 }) }),
      fc.record({ resourceType: fc.constant('Parameters'), parameter: fc.array(fc.record({ name: fc.constant('patient'), valueReference: fc.record({ reference: value }) }), { maxLength: 3 }) }),
      fc.anything({ maxDepth: 3 }),
    );
    await fc.assert(fc.asyncProperty(body, async (b) => {
      check(await request(app.http).post('/fhir/Patient/$export').set({ Prefer: 'respond-async', 'Content-Type': 'application/fhir+json' }).send(JSON.stringify(b)));
    }), { numRuns: RUNS, seed: SEED });
  }, 300_000);

  test('hostile status and download parameters → 4xx OperationOutcome', async () => {
    await fc.assert(fc.asyncProperty(value, value, fc.constantFrom('GET', 'DELETE'), async (job, file, method) => {
      const q = new URLSearchParams([['_jobId', job], ['_file', file]]).toString();
      const path = method === 'GET' ? `/fhir/$export-download?${q}` : `/fhir/$export-poll-status?${q}`;
      const res = method === 'GET' ? await request(app.http).get(path) : await request(app.http).delete(path);
      expect(res.status >= 400 && res.status < 500).toBe(true);
      expect(JSON.parse(res.text).resourceType).toBe('OperationOutcome');
    }), { numRuns: RUNS, seed: SEED });
  }, 300_000);

  test.each([
    ['_outputFormat=text/csv', 400],
    ['_outputFormat=ndjson', 202],
    ['_outputFormat=application/ndjson', 202],
    ['_since=yesterday', 400],
    ['_since=2024-01-01', 400],
    ['_since=2024-01-01T00:00:00Z', 202],
    ['_type=Bogus', 400],
    ['_type=Patient&_typeFilter=Observation%3Fcode%3D1', 400],
    ['_typeFilter=Observation%3Fbogus%3D1', 400],
    ['_typeFilter=Observation%3F_sort%3Ddate', 400],
    ['_typeFilter=Observation', 400],
    ['_typeFilter=Observation%3Fcode%3D1,2', 202],
    ['includeAssociatedData=LatestProvenanceResources', 202],
    ['includeAssociatedData=Bogus', 400],
    ['_elements=id,status', 202],
    ['_elements=no%20such', 400],
    ['patient=Patient/1', 400],
    ['nonsense=1', 400],
    ['_typeFilter=Observation?code=%zz', 202],
  ])('$export?%s → %i', async (qs, status) => {
    const res = await request(app.http).get(`/fhir/$export?${qs}`).set('Prefer', 'respond-async');
    expect({ status: res.status, text: res.status === status ? '' : res.text }).toEqual({ status, text: '' });
  });
});
