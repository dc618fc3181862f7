/** $validate, the generated CapabilityStatement, health, readiness and metrics. */
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import { type TestApp, startTestApp } from '../support/test-app';

const FHIR = 'application/fhir+json';

describe.each(driversUnderTest())('operations and observability on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(kind); });
  afterAll(async () => { await app.dispose(); });
  const api = () => request(app.http);

  test('$validate at type level: valid and invalid resources, bare or in Parameters', async () => {
    const ok = await api().post('/fhir/Patient/$validate').set('Content-Type', FHIR).send({ resourceType: 'Patient', gender: 'male' });
    expect(ok.status).toBe(200);
    expect(ok.body.issue.every((i: { severity: string }) => i.severity === 'information')).toBe(true);
    const bad = await api().post('/fhir/Patient/$validate').set('Content-Type', FHIR)
      .send({ resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { resourceType: 'Patient', gender: 'robot', birthDate: '1999-02-30' } }] });
    expect(bad.status).toBe(200);
    const errors = bad.body.issue.filter((i: { severity: string }) => i.severity === 'error');
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors.flatMap((i: { expression: string[] }) => i.expression)).toEqual(expect.arrayContaining(['Patient.gender', 'Patient.birthDate']));
    // $validate never stores anything.
    expect((await api().get('/fhir/Patient/_history')).body.entry ?? []).toHaveLength(0);
  });

  test('$validate against one of our profiles reports its rules', async () => {
    const res = await api().post('/fhir/Condition/$validate').set('Content-Type', FHIR).send({
      resourceType: 'Parameters', parameter: [
        { name: 'resource', resource: { resourceType: 'Condition', subject: { reference: 'Patient/1' } } },
        { name: 'profile', valueUri: 'https://twinfhir.org/fhir/StructureDefinition/nlp-condition' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.issue.filter((i: { severity: string }) => i.severity === 'error').length).toBeGreaterThan(0);
  });

  test('$validate at instance level uses the stored resource; unknown instance is 404', async () => {
    const p = (await api().post('/fhir/Patient').set('Content-Type', FHIR).send({ resourceType: 'Patient' })).body;
    const res = await api().get(`/fhir/Patient/${p.id}/$validate`);
    expect(res.status).toBe(200);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect((await api().get('/fhir/Patient/nope/$validate')).status).toBe(404);
    expect((await api().post('/fhir/Patient/$nonsense').set('Content-Type', FHIR).send({ resourceType: 'Parameters' })).status).toBe(404);
  });

  test('CapabilityStatement lists what is registered', async () => {
    const cs = (await api().get('/fhir/metadata')).body;
    expect(cs.resourceType).toBe('CapabilityStatement');
    expect(cs.fhirVersion).toBe('4.0.1');
    const patient = cs.rest[0].resource.find((r: { type: string }) => r.type === 'Patient');
    expect(patient.interaction.map((i: { code: string }) => i.code)).toEqual(expect.arrayContaining(['read', 'vread', 'update', 'patch', 'delete', 'create', 'search-type', 'history-instance']));
    expect(patient.searchParam.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['identifier', 'name', 'birthdate', 'family', 'general-practitioner']));
    expect(patient.operation.map((o: { name: string }) => o.name)).toContain('validate');
    expect(patient.conditionalCreate).toBe(true);
    expect(cs.rest[0].interaction.map((i: { code: string }) => i.code)).toEqual(expect.arrayContaining(['transaction', 'batch']));
    expect(cs.rest[0].resource.length).toBeGreaterThan(140);
    expect(cs.rest[0].compartment).toEqual(['patient', 'encounter', 'relatedPerson', 'practitioner', 'device'].map((c) => `http://hl7.org/fhir/CompartmentDefinition/${c}`));
    // the NLP, review and twin operations are in the one table the routes use
    const ops = (type: string): string[] => cs.rest[0].resource.find((r: { type: string }) => r.type === type).operation.map((o: { name: string }) => o.name);
    expect(ops('DocumentReference')).toContain('extract');
    expect(ops('Condition')).toContain('verify');
    expect(ops('Patient')).toEqual(expect.arrayContaining(['twin', 'everything']));
    expect(ops('Composition')).toContain('document');
    // Every listed type really answers.
    expect((await api().get('/fhir/MolecularSequence?_count=1')).status).toBe(200);
  });

  test('healthz, readyz and metrics', async () => {
    expect((await api().get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await api().get('/readyz')).body).toEqual({ status: 'ready' });
    await api().get('/fhir/Patient/unknown-for-metrics');
    const m = await api().get('/metrics');
    expect(m.status).toBe(200);
    expect(m.text).toMatch(/twinfhir_http_requests_total\{interaction="read",status="404"\} [1-9]/);
    expect(m.text).toMatch(/twinfhir_http_request_duration_seconds_bucket\{le="0.005",interaction="read"\}/);
    expect(m.text).toMatch(/twinfhir_db_pool_connections\{state="total"\} \d+/);
    // the scrape counts itself; every earlier request has been answered and left the gauge
    expect(m.text).toMatch(/^twinfhir_http_requests_in_flight 1$/m);
  });
});
