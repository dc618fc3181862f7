/** Search over HTTP: previous/next links, _summary=count, _total=estimate, composite and :in through the API, on both drivers. */
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';

const FHIR = 'application/fhir+json';
const LOINC = 'http://loinc.org';

interface Link { relation: string; url: string }

describe.each(driversUnderTest())('search over HTTP on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(kind);
    const entry = Array.from({ length: 8 }, (_, i) => ({
      resource: { resourceType: 'Patient', id: `h-${i}`, gender: i < 5 ? 'female' : 'male', birthDate: `1970-01-0${i + 1}` },
      request: { method: 'PUT', url: `Patient/h-${i}` },
    }));
    const bp = (id: string, sys: number, dia: number) => ({
      resource: {
        resourceType: 'Observation', id, status: 'final', code: { coding: [{ system: LOINC, code: '85354-9' }] }, subject: { reference: 'Patient/h-0' },
        component: [
          { code: { coding: [{ system: LOINC, code: '8480-6' }] }, valueQuantity: { value: sys, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
          { code: { coding: [{ system: LOINC, code: '8462-4' }] }, valueQuantity: { value: dia, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
        ],
      },
      request: { method: 'PUT', url: `Observation/${id}` },
    });
    const vs = { resource: { resourceType: 'ValueSet', id: 'bp-codes', url: 'http://acme.org/vs/bp', status: 'active', compose: { include: [{ system: LOINC, concept: [{ code: '85354-9' }] }] } }, request: { method: 'PUT', url: 'ValueSet/bp-codes' } };
    const res = await request(app.http).post('/fhir').set('Content-Type', FHIR)
      .send({ resourceType: 'Bundle', type: 'transaction', entry: [...entry, bp('bp-1', 150, 85), bp('bp-2', 120, 145), vs] });
    expect(res.status).toBe(200);
  });
  afterAll(async () => { await app.dispose(); });
  const get = (path: string) => request(app.http).get(path.startsWith('http') ? new URL(path).pathname + new URL(path).search : path);
  const link = (body: { link: Link[] }, rel: string) => body.link.find((l) => l.relation === rel)?.url;
  const ids = (body: { entry?: { resource: { id: string } }[] }) => (body.entry ?? []).map((e) => e.resource.id);

  test('pages after the first carry a previous link that returns the earlier page', async () => {
    const p1 = (await get('/fhir/Patient?_sort=birthdate&_count=3')).body;
    expect(link(p1, 'previous')).toBeUndefined();
    const p2 = (await get(link(p1, 'next') as string)).body;
    const p3 = (await get(link(p2, 'next') as string)).body;
    expect([ids(p1), ids(p2), ids(p3)]).toEqual([['h-0', 'h-1', 'h-2'], ['h-3', 'h-4', 'h-5'], ['h-6', 'h-7']]);
    expect(link(p3, 'next')).toBeUndefined();
    const back2 = (await get(link(p3, 'previous') as string)).body;
    expect(ids(back2)).toEqual(['h-3', 'h-4', 'h-5']);
    const back1 = (await get(link(back2, 'previous') as string)).body;
    expect(ids(back1)).toEqual(['h-0', 'h-1', 'h-2']);
    expect(link(back1, 'previous')).toBeUndefined();
    expect(link(back1, 'next')).toBeDefined();
  });

  test('_summary=count returns the total only', async () => {
    const res = await get('/fhir/Patient?gender=female&_summary=count');
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(5);
    expect(res.body.entry).toBeUndefined();
    expect(res.body.link.map((l: Link) => l.relation)).toEqual(['self']);
    expect((await get('/fhir/Patient?_summary=count&_total=estimate')).body.total).toBe(8);
  });

  test('_total=estimate on a later page', async () => {
    const p1 = (await get('/fhir/Patient?_count=2&_total=estimate')).body;
    expect(p1.total).toBe(8);
    expect((await get(link(p1, 'next') as string)).body.total).toBe(8);
  });

  test('blood pressure components match per component; :in against a stored ValueSet', async () => {
    expect(ids((await get('/fhir/Observation?component-code-value-quantity=http://loinc.org|8480-6$gt140')).body)).toEqual(['bp-1']);
    expect(ids((await get('/fhir/Observation?component-code-value-quantity=http://loinc.org|8462-4$gt140')).body)).toEqual(['bp-2']);
    expect(ids((await get('/fhir/Patient?_has:Observation:subject:component-code-value-quantity=8480-6$gt140')).body)).toEqual(['h-0']);
    expect(ids((await get('/fhir/Observation?code:in=http://acme.org/vs/bp&_sort=_id')).body)).toEqual(['bp-1', 'bp-2']);
    const missing = await get('/fhir/Observation?code:in=http://acme.org/vs/none');
    expect(missing.status).toBe(400);
    expect(missing.body.issue[0].diagnostics).toMatch(/not stored/);
    const below = await get('/fhir/Observation?code:below=http://loinc.org|85354-9');
    expect(below.status).toBe(400);
    expect(below.body.issue[0].code).toBe('not-supported');
  });
});
