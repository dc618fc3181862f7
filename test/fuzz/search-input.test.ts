/**
 * Hostile search input against the real app on both drivers: random query strings (control
 * characters, prefixes, separators, chains, modifiers, many repeats) never give a 5xx or leak
 * internals; AND-ed repeats of a parameter are one index scan however many there are.
 */
import fc from 'fast-check';
import request from 'supertest';
import { parseSearchParams } from '../../server/search/parse';
import { createSearchRegistry } from '../../server/search/registry';
import { SqlBuilder } from '../../server/store/search/sql-builder';
import { whereSql } from '../../server/store/search/search-sql';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { searchParam as param, searchQuery as query } from './arbitraries';
import { leaks } from './helpers';

const RUNS = Number(process.env.FUZZ_RUNS ?? 120);
/** Jest's limit for a property test: generous per run, so FUZZ_RUNS can scale a run up. */
const TIMEOUT = 60_000 + RUNS * 500;
const SEED = Number(process.env.FUZZ_SEED ?? 1212);

describe.each(driversUnderTest())('search input on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(kind);
    const entry = Array.from({ length: 6 }, (_, i) => ({
      resource: { resourceType: 'Patient', id: `fz-${i}`, name: [{ family: `Fam${i}`, given: ['Ann'] }], birthDate: `19${50 + i}-01-02`, gender: 'female' },
      request: { method: 'PUT', url: `Patient/fz-${i}` },
    }));
    const res = await request(app.http).post('/fhir').set('Content-Type', 'application/fhir+json').send({ resourceType: 'Bundle', type: 'transaction', entry });
    expect(res.status).toBe(200);
  });
  afterAll(async () => { await app.dispose(); });

  test('random query strings never give a 5xx, a leak, or a non-OperationOutcome error', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom('Patient', 'Observation', 'Location', ''), query, async (type, pairs) => {
      const qs = new URLSearchParams(pairs).toString();
      const res = await request(app.http).get(`/fhir/${type}${qs ? `?${qs}` : ''}`);
      expect(res.status).toBeLessThan(500);
      expect(leaks(res.text)).toBe(false);
      if (res.status >= 400) expect(res.body.resourceType).toBe('OperationOutcome');
    }), { seed: SEED, numRuns: RUNS });
  }, TIMEOUT);

  test('random If-None-Exist criteria never give a 5xx', async () => {
    await fc.assert(fc.asyncProperty(fc.array(param, { minLength: 1, maxLength: 4 }), async (pairs) => {
      const res = await request(app.http).post('/fhir/Patient').set('Content-Type', 'application/fhir+json')
        .set('If-None-Exist', new URLSearchParams(pairs).toString()).send({ resourceType: 'Patient', active: false });
      expect(res.status).toBeLessThan(500);
      expect(leaks(res.text)).toBe(false);
    }), { seed: SEED + 1, numRuns: Math.ceil(RUNS / 3) });
  }, TIMEOUT);

  test('the issue reproducers: NUL → 400 naming the parameter; year 0000 → 400; no-term values → 400, not every resource', async () => {
    for (const [path, param] of [['Patient?name=%00', 'name'], ['Patient?birthdate=0000', 'birthdate'], ['Patient?_content=,', '_content'], ['Patient?name=,', 'name']]) {
      const res = await request(app.http).get(`/fhir/${path}`);
      expect(res.status).toBe(400);
      expect(res.body.issue[0].expression).toEqual([param]);
    }
    const inx = await request(app.http).post('/fhir/Patient').set('Content-Type', 'application/fhir+json').set('If-None-Exist', 'name=%00').send({ resourceType: 'Patient' });
    expect(inx.status).toBe(400);
    expect(inx.body.issue[0].expression).toEqual(['name']);
  });

  test('caps: 100 AND-ed values are answered (and still mean AND); beyond the caps → 400 naming the cap', async () => {
    const and = (n: number, v: (i: number) => string): string => Array.from({ length: n }, (_, i) => `name=${v(i)}`).join('&');
    const ok = await request(app.http).get(`/fhir/Patient?${and(100, () => 'fam')}`);
    expect(ok.status).toBe(200);
    expect(ok.body.entry).toHaveLength(6);
    // AND: one value that matches nothing empties the result.
    const none = await request(app.http).get(`/fhir/Patient?${and(99, () => 'fam')}&name=zzz`);
    expect(none.body.entry ?? []).toHaveLength(0);
    const mixed = await request(app.http).get('/fhir/Patient?name=fam1&name=ann');
    expect(mixed.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual(['fz-1']);
    const tooMany = await request(app.http).get(`/fhir/Patient?${and(200, (i) => `n${i}`)}`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.issue[0].diagnostics).toMatch(/limit is 100/);
  });
});

describe('repeated parameters share one index scan', () => {
  const registry = createSearchRegistry();
  const cases: [string, (i: number) => string][] = [
    ['name', (i) => `n${i}`], ['birthdate', (i) => `ge${1900 + i}`], ['identifier', (i) => `sys|v${i}`], ['general-practitioner', (i) => `Practitioner/p${i}`],
  ];
  test.each(cases)('%s × 100', (name, v) => {
    const pairs = Array.from({ length: 100 }, (_, i) => [name, v(i)] as [string, string]);
    const { query } = parseSearchParams(registry, ['Patient'], pairs);
    const sql = whereSql(new SqlBuilder(), query, registry);
    // One FROM of the index table, not a hundred EXISTS subqueries.
    expect(sql.match(/FROM idx_/g)).toHaveLength(1);
    expect(sql).toContain('GROUP BY');
  });
});
