/** Custom SearchParameter resources through the API: registered after commit, used for new writes, listed, updated, forgotten; loaded at start. */
import request from 'supertest';
import pino from 'pino';
import { createSearchRegistry } from '../../server/search/registry';
import { startSearchParameterSync } from '../../server/search-index/search-parameter-sync';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';
import { birthplaceExpression, birthplaceParam, bornIn } from './helpers/custom-params';

const FHIR = 'application/fhir+json';

describe.each(driversUnderTest())('custom SearchParameters on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(kind); });
  afterAll(async () => { await app.dispose(); });
  const api = () => request(app.http);
  const post = (path: string, body: object) => api().post(`/fhir/${path}`).set('Content-Type', FHIR).send(body);
  const ids = async (qs: string): Promise<string[]> => {
    const res = await api().get(`/fhir/${qs}`).set('Prefer', 'handling=strict');
    expect(res.status).toBe(200);
    return (res.body.entry ?? []).filter((e: { search: { mode: string } }) => e.search.mode === 'match').map((e: { resource: { id: string } }) => e.resource.id).sort();
  };
  const strictStatus = async (qs: string) => (await api().get(`/fhir/${qs}`).set('Prefer', 'handling=strict')).status;

  test('a posted SearchParameter indexes new writes at once and is listed in the CapabilityStatement', async () => {
    const before = (await post('Patient', bornIn('Köln', { id: undefined }))).body.id;
    expect(await strictStatus('Patient?birthplace=koln')).toBe(400);
    const sp = await post('SearchParameter', birthplaceParam);
    expect(sp.status).toBe(201);
    const after = (await post('Patient', bornIn('Köln'))).body.id;
    expect(await ids('Patient?birthplace=köln')).toEqual([after]);
    expect(before).not.toBe(after);
    const cs = (await api().get('/fhir/metadata')).body;
    const patient = cs.rest[0].resource.find((r: { type: string }) => r.type === 'Patient');
    expect(patient.searchParam).toContainEqual({ name: 'birthplace', definition: birthplaceParam.url, type: 'string' });
    // Updating a Patient indexes it with the new parameter too.
    await api().put(`/fhir/Patient/${before}`).set('Content-Type', FHIR).send(bornIn('Köln', { id: before }));
    expect(await ids('Patient?birthplace=köln')).toEqual([after, before].sort());
  });

  test('an unusable SearchParameter is refused and not registered', async () => {
    const bad = await post('SearchParameter', { ...birthplaceParam, url: 'https://acme.org/sp/bad', code: 'bad-one', expression: 'Patient.name.where(' });
    expect([400, 422]).toContain(bad.status);
    expect(await strictStatus('Patient?bad-one=x')).toBe(400);
    // Stored but not registered: nothing to index (special) and retired ones.
    const special = await post('SearchParameter', { ...birthplaceParam, url: 'https://acme.org/sp/sp2', code: 'special-one', type: 'special', expression: undefined });
    expect(special.status).toBe(201);
    expect(await strictStatus('Patient?special-one=x')).toBe(400);
  });

  test('a SearchParameter in a failed transaction never takes effect; in a committed one it does', async () => {
    const entry = (resource: object, url: string) => ({ resource, request: { method: 'POST', url } });
    const failed = await post('', { resourceType: 'Bundle', type: 'transaction', entry: [
      entry({ ...birthplaceParam, url: 'https://acme.org/sp/tx1', code: 'tx-one' }, 'SearchParameter'),
      entry({ resourceType: 'Patient', gender: 'robot' }, 'Patient'),
    ] });
    expect(failed.status).toBeGreaterThanOrEqual(400);
    expect(await strictStatus('Patient?tx-one=x')).toBe(400);
    const ok = await post('', { resourceType: 'Bundle', type: 'transaction', entry: [
      entry({ ...birthplaceParam, url: 'https://acme.org/sp/tx2', code: 'tx-two' }, 'SearchParameter'),
    ] });
    expect(ok.status).toBe(200);
    expect(await strictStatus('Patient?tx-two=x')).toBe(200);
  });

  test('updating changes what new writes index; deleting forgets the parameter', async () => {
    const sp = (await post('SearchParameter', { ...birthplaceParam, url: 'https://acme.org/sp/country', code: 'birth-country', expression: birthplaceExpression('city') })).body;
    const changed = { ...sp, expression: birthplaceExpression('country') };
    expect((await api().put(`/fhir/SearchParameter/${sp.id}`).set('Content-Type', FHIR).send(changed)).status).toBe(200);
    const p = (await post('Patient', bornIn('Bonn'))).body.id;
    expect(await ids('Patient?birth-country=DE')).toEqual([p]);
    expect(await ids('Patient?birth-country=bonn')).toEqual([]);
    expect((await api().delete(`/fhir/SearchParameter/${sp.id}`)).status).toBeLessThan(300);
    expect(await strictStatus('Patient?birth-country=DE')).toBe(400);
  });

  test('stored SearchParameters are loaded at start, and other servers\' changes are picked up', async () => {
    const registry = createSearchRegistry();
    const sync = await startSearchParameterSync({ store: app.store, registry, logger: pino({ level: 'silent' }), pollMs: 20 });
    try {
      expect(registry.get('Patient', 'birthplace')?.type).toBe('string');
      expect(registry.get('Patient', 'birth-country')).toBeUndefined();
      await post('SearchParameter', { ...birthplaceParam, url: 'https://acme.org/sp/late', code: 'late-one' });
      // by the clock, not a count of 20 ms turns: a poll under load can take longer than the whole count
      for (const until = Date.now() + 20_000; !registry.get('Patient', 'late-one') && Date.now() < until;) await new Promise((r) => setTimeout(r, 20));
      expect(registry.get('Patient', 'late-one')).toBeDefined();
    } finally {
      await sync.close();
    }
  });
});
