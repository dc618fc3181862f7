/** Conditional create/update/patch/delete and conditional references, including under concurrency. */
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';

const FHIR = 'application/fhir+json';
const mrn = (value: string) => ({ resourceType: 'Patient', identifier: [{ system: 'urn:test:mrn', value }], name: [{ family: `F-${value}` }] });

describe.each(driversUnderTest())('conditional interactions on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(kind); });
  afterAll(async () => { await app.dispose(); });
  const api = () => request(app.http);
  const count = async (value: string) => (await api().get(`/fhir/Patient?identifier=urn:test:mrn|${value}&_total=accurate`)).body.total as number;

  test('If-None-Exist: creates once, then returns the existing resource with 200', async () => {
    const first = await api().post('/fhir/Patient').set('Content-Type', FHIR).set('If-None-Exist', 'identifier=urn:test:mrn|C1').send(mrn('C1'));
    expect(first.status).toBe(201);
    const second = await api().post('/fhir/Patient').set('Content-Type', FHIR).set('If-None-Exist', 'identifier=urn:test:mrn|C1').send(mrn('C1'));
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    expect(await count('C1')).toBe(1);
  });

  test('concurrent conditional creates never make duplicates', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, () =>
      api().post('/fhir/Patient').set('Content-Type', FHIR).set('If-None-Exist', 'identifier=urn:test:mrn|RACE').send(mrn('RACE'))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.every((r) => r.status === 200 || r.status === 201)).toBe(true);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(await count('RACE')).toBe(1);
  });

  test('If-None-Exist with an unknown parameter is rejected rather than matching everything', async () => {
    const res = await api().post('/fhir/Patient').set('Content-Type', FHIR).set('If-None-Exist', 'nonsense=1').send(mrn('X'));
    expect(res.status).toBe(400);
  });

  test('conditional update: creates on no match, updates on one, 412 on several', async () => {
    const created = await api().put('/fhir/Patient?identifier=urn:test:mrn|U1').set('Content-Type', FHIR).send(mrn('U1'));
    expect(created.status).toBe(201);
    const updated = await api().put('/fhir/Patient?identifier=urn:test:mrn|U1').set('Content-Type', FHIR).send({ ...mrn('U1'), gender: 'female' });
    expect(updated.status).toBe(200);
    expect(updated.body.id).toBe(created.body.id);
    expect(updated.body.meta.versionId).toBe('2');
    await api().post('/fhir/Patient').set('Content-Type', FHIR).send({ ...mrn('U2'), name: [{ family: 'Twin' }] });
    await api().post('/fhir/Patient').set('Content-Type', FHIR).send({ ...mrn('U3'), name: [{ family: 'Twin' }] });
    expect((await api().put('/fhir/Patient?family=Twin').set('Content-Type', FHIR).send(mrn('U4'))).status).toBe(412);
  });

  test('conditional delete removes the single match; several is 412', async () => {
    await api().post('/fhir/Patient').set('Content-Type', FHIR).send(mrn('D1'));
    expect((await api().delete('/fhir/Patient?identifier=urn:test:mrn|D1')).status).toBe(200);
    expect(await count('D1')).toBe(0);
    expect((await api().delete('/fhir/Patient?identifier=urn:test:mrn|D-none')).status).toBe(200);
  });

  test('JSON Patch and conditional patch; patch with stale If-Match is 412', async () => {
    const p = (await api().post('/fhir/Patient').set('Content-Type', FHIR).send(mrn('P1'))).body;
    const patched = await api().patch(`/fhir/Patient/${p.id}`).set('Content-Type', 'application/json-patch+json')
      .send([{ op: 'add', path: '/gender', value: 'female' }, { op: 'replace', path: '/name/0/family', value: 'Patched' }]);
    expect(patched.status).toBe(200);
    expect(patched.body.gender).toBe('female');
    expect(patched.body.name[0].family).toBe('Patched');
    expect(patched.body.meta.versionId).toBe('2');
    const stale = await api().patch(`/fhir/Patient/${p.id}`).set('Content-Type', 'application/json-patch+json').set('If-Match', 'W/"1"').send([{ op: 'remove', path: '/gender' }]);
    expect(stale.status).toBe(412);
    const invalid = await api().patch(`/fhir/Patient/${p.id}`).set('Content-Type', 'application/json-patch+json').send([{ op: 'replace', path: '/gender', value: 7 }]);
    expect(invalid.status).toBe(422);
    const cond = await api().patch('/fhir/Patient?identifier=urn:test:mrn|P1').set('Content-Type', 'application/json-patch+json').send([{ op: 'add', path: '/active', value: true }]);
    expect(cond.status).toBe(200);
    expect(cond.body.active).toBe(true);
  });

  test('FHIRPath Patch via Parameters', async () => {
    const p = (await api().post('/fhir/Patient').set('Content-Type', FHIR).send(mrn('FP1'))).body;
    const res = await api().patch(`/fhir/Patient/${p.id}`).set('Content-Type', FHIR).send({
      resourceType: 'Parameters',
      parameter: [{ name: 'operation', part: [{ name: 'type', valueCode: 'replace' }, { name: 'path', valueString: 'Patient.name[0].family' }, { name: 'value', valueString: 'ViaFhirPath' }] }],
    });
    expect(res.status).toBe(200);
    expect(res.body.name[0].family).toBe('ViaFhirPath');
  });

  test('transaction: conditional references and ifNoneExist resolve', async () => {
    await api().post('/fhir/Patient').set('Content-Type', FHIR).send(mrn('R1'));
    const res = await api().post('/fhir').set('Content-Type', FHIR).send({
      resourceType: 'Bundle', type: 'transaction', entry: [
        { fullUrl: 'urn:uuid:aaaaaaaa-0000-4000-8000-000000000001', resource: mrn('R1'), request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:test:mrn|R1' } },
        { resource: { resourceType: 'Observation', status: 'final', code: { text: 'a' }, subject: { reference: 'Patient?identifier=urn:test:mrn|R1' } }, request: { method: 'POST', url: 'Observation' } },
        { resource: { resourceType: 'Observation', status: 'final', code: { text: 'b' }, subject: { reference: 'urn:uuid:aaaaaaaa-0000-4000-8000-000000000001' } }, request: { method: 'POST', url: 'Observation' } },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.entry[0].response.status).toMatch(/^200/);
    const pid = res.body.entry[0].response.location.split('/')[5];
    for (const i of [1, 2]) {
      const loc = new URL(res.body.entry[i].response.location).pathname.replace(/\/_history\/\d+$/, '');
      expect((await api().get(loc)).body.subject.reference).toBe(`Patient/${pid}`);
    }
    const bad = await api().post('/fhir').set('Content-Type', FHIR).send({
      resourceType: 'Bundle', type: 'transaction', entry: [
        { resource: { resourceType: 'Observation', status: 'final', code: { text: 'c' }, subject: { reference: 'Patient?identifier=urn:test:mrn|NOBODY' } }, request: { method: 'POST', url: 'Observation' } },
      ],
    });
    expect(bad.status).toBe(412);
  });
});
