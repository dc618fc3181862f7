/** Bad input gets a clear OperationOutcome with the right status, and never a 500 or a stack trace. */
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';

const FHIR = 'application/fhir+json';

describe('errors and limits', () => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp('pglite', { MAX_BODY: '64kb', MAX_JSON_DEPTH: '20' }); });
  afterAll(async () => { await app.dispose(); });
  const api = () => request(app.http);

  const expectOutcome = (res: request.Response, status: number, code?: string) => {
    expect(res.status).toBe(status);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.body.issue.length).toBeGreaterThan(0);
    if (code) expect(res.body.issue[0].code).toBe(code);
    expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/); // no stack traces
  };

  test('malformed JSON is 400', async () => {
    expectOutcome(await api().post('/fhir/Patient').set('Content-Type', FHIR).send('{"resourceType": "Patient",'), 400, 'invalid');
  });

  test('wrong media type is 415; unacceptable Accept is 406', async () => {
    expectOutcome(await api().post('/fhir/Patient').set('Content-Type', 'application/xml').send('<Patient/>'), 415, 'not-supported');
    expectOutcome(await api().get('/fhir/metadata').set('Accept', 'application/fhir+xml'), 406);
  });

  test('body over MAX_BODY is 413', async () => {
    const big = { resourceType: 'Patient', name: [{ text: 'x'.repeat(70 * 1024) }] };
    expectOutcome(await api().post('/fhir/Patient').set('Content-Type', FHIR).send(JSON.stringify(big)), 413, 'too-costly');
  });

  test('JSON nested deeper than the limit is 400', async () => {
    let deep: unknown = { valueString: 'x' };
    for (let i = 0; i < 40; i++) deep = { extension: [deep], url: 'http://x' };
    expectOutcome(await api().post('/fhir/Patient').set('Content-Type', FHIR).send(JSON.stringify({ resourceType: 'Patient', extension: [deep] })), 400);
  });

  test('wrong types and unknown elements are 422 with the FHIRPath of each problem', async () => {
    const res = await api().post('/fhir/Patient').set('Content-Type', FHIR).send({ resourceType: 'Patient', gender: 42, foo: 'bar', birthDate: 'yesterday' });
    expectOutcome(res, 422);
    const expressions = res.body.issue.flatMap((i: { expression?: string[] }) => i.expression ?? []);
    expect(expressions).toEqual(expect.arrayContaining(['Patient.gender', 'Patient.foo', 'Patient.birthDate']));
  });

  test('resourceType mismatch or missing is 400; unknown type is 404', async () => {
    expectOutcome(await api().post('/fhir/Patient').set('Content-Type', FHIR).send({ resourceType: 'Observation' }), 400);
    expectOutcome(await api().post('/fhir/Patient').set('Content-Type', FHIR).send({ name: [] }), 400);
    expectOutcome(await api().post('/fhir/Patient').set('Content-Type', FHIR).send('[1,2]'), 400);
    expectOutcome(await api().get('/fhir/Spaceship/1'), 404);
    expectOutcome(await api().post('/fhir/Spaceship').set('Content-Type', FHIR).send({ resourceType: 'Spaceship' }), 404);
  });

  test('invalid ids are 400; unsupported methods 405; unknown paths 404', async () => {
    expectOutcome(await api().get(`/fhir/Patient/${'x'.repeat(65)}`), 400);
    expectOutcome(await api().get('/fhir/Patient/a%20b'), 400);
    expectOutcome(await api().post('/fhir/Patient/123').set('Content-Type', FHIR).send({ resourceType: 'Patient' }), 405);
    expectOutcome(await api().get('/fhir/Patient/1/_history/1/extra/more'), 404);
    expectOutcome(await api().get('/nowhere'), 404);
    expectOutcome(await api().get('/fhir/Patient/1/_history/abc'), 400);
  });

  test('bad header values are 400, not 500', async () => {
    const created = (await api().post('/fhir/Patient').set('Content-Type', FHIR).send({ resourceType: 'Patient' })).body;
    expectOutcome(await api().put(`/fhir/Patient/${created.id}`).set('Content-Type', FHIR).set('If-Match', 'garbage').send(created), 400);
    expectOutcome(await api().get(`/fhir/Patient/${created.id}`).set('If-Modified-Since', 'not a date'), 400);
    expectOutcome(await api().get('/fhir/Patient/_history?_since=tomorrow'), 400);
  });

  test('a failed write leaves the stored resource untouched', async () => {
    const created = (await api().post('/fhir/Patient').set('Content-Type', FHIR).send({ resourceType: 'Patient', gender: 'male' })).body;
    await api().put(`/fhir/Patient/${created.id}`).set('Content-Type', FHIR).send({ ...created, gender: 12 });
    const now = await api().get(`/fhir/Patient/${created.id}`);
    expect(now.body.gender).toBe('male');
    expect(now.body.meta.versionId).toBe('1');
  });

  test('a request id is returned and echoed', async () => {
    const res = await api().get('/fhir/metadata').set('X-Request-Id', 'abc-123');
    expect(res.headers['x-request-id']).toBe('abc-123');
    expect((await api().get('/fhir/metadata')).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
