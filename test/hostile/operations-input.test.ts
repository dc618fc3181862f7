/**
 * Hostile input to operations and to the validation path over HTTP (issue 12): malformed Parameters
 * are 400 naming the parameter for every operation; shape bypasses and unsafe narratives are refused
 * the same way by create, update, $validate and transaction Bundles.
 */
import fc from 'fast-check';
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import { startTestApp, type TestApp } from '../support/test-app';

const FHIR = 'application/fhir+json';
const MALFORMED: [string, unknown][] = [
  ['parameter: {}', { resourceType: 'Parameters', parameter: {} }],
  ['parameter: [null]', { resourceType: 'Parameters', parameter: [null] }],
  ['valueCode: 5', { resourceType: 'Parameters', parameter: [{ name: 'decision', valueCode: 5 }] }],
  ['part: [null]', { resourceType: 'Parameters', parameter: [{ name: 'target', part: [null] }] }],
  ['parameter: "x"', { resourceType: 'Parameters', parameter: 'x' }],
  ['reviewer: valueReference []', { resourceType: 'Parameters', parameter: [{ name: 'decision', valueCode: 'confirm' }, { name: 'reviewer', valueReference: [] }] }],
];
const XSS_DIV = '<div xmlns="http://www.w3.org/1999/xhtml"><a href="&#106;avascript:alert(1)">x</a></div>';
const STALL_DIV = `<div xmlns="http://www.w3.org/1999/xhtml">x${'<a'.repeat(3000)}`;

describe.each(driversUnderTest())('operations and validation input on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(kind); });
  afterAll(async () => { await app.dispose(); });
  const post = (path: string, body: unknown) => request(app.http).post(`/fhir/${path}`).set('Content-Type', FHIR).send(JSON.stringify(body));
  const put = (path: string, body: unknown) => request(app.http).put(`/fhir/${path}`).set('Content-Type', FHIR).send(JSON.stringify(body));

  it.each(MALFORMED)('$verify (instance and system) with %s is 400 naming the parameter', async (_name, body) => {
    for (const path of ['Condition/c1/$verify', 'Observation/o1/$verify', '$verify']) {
      const res = await post(path, body);
      expect(res.status).toBe(400);
      expect(res.body.resourceType).toBe('OperationOutcome');
      expect(res.body.issue[0].diagnostics).toMatch(/\$verify|parameter/);
    }
  });

  it('$validate, $twin and $extract refuse malformed Parameters with 400', async () => {
    for (const [, body] of MALFORMED.slice(0, 2)) {
      expect((await post('Patient/$validate', body)).status).toBe(400);
      expect((await post('Patient/p1/$twin', body)).status).toBe(400);
      expect((await post('DocumentReference/d1/$extract', body)).status).toBe(400);
    }
    const unknown = await post('Patient/$validate', { resourceType: 'Parameters', parameter: [{ name: 'resource', valueString: 'x' }] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.issue[0].diagnostics).toMatch(/'resource'/);
    expect((await post('Patient/$validate', { resourceType: 'Parameters', parameter: [{ name: 'mode', valueCode: 7 }] })).status).toBe(400);
  });

  it('arbitrary Parameters shapes to $verify never give a 5xx', async () => {
    const node = fc.letrec((tie) => ({
      p: fc.oneof(fc.anything({ maxDepth: 2 }), fc.record({
        name: fc.oneof(fc.constantFrom('decision', 'target', 'reviewer', 'resource', 'note', 'version'), fc.anything({ maxDepth: 1 })),
        valueCode: fc.oneof(fc.constantFrom('confirm', 'refute', 'amend'), fc.anything({ maxDepth: 1 })),
        valueReference: fc.oneof(fc.record({ reference: fc.constantFrom('Condition/c1', 'Practitioner/x', 'Condition/c1/_history/1') }), fc.anything({ maxDepth: 1 })),
        resource: fc.anything({ maxDepth: 2 }),
        part: fc.oneof(fc.array(tie('p'), { maxLength: 3 }), fc.anything({ maxDepth: 1 })),
      }, { requiredKeys: [] })),
    }));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('Condition/c1/$verify', '$verify'), fc.oneof(fc.array(node.p, { maxLength: 4 }), fc.anything({ maxDepth: 2 })), async (path, parameter) => {
        const res = await post(path, { resourceType: 'Parameters', parameter });
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 60, seed: 12 },
    );
  });

  it('shape bypasses are 422 with the element path on create, update, $validate and in a transaction', async () => {
    const bad = { resourceType: 'Patient', name: [[1, 2]] };
    const created = await post('Patient', bad);
    expect(created.status).toBe(422);
    expect(created.body.issue.flatMap((i: { expression?: string[] }) => i.expression ?? [])).toContain('Patient.name[0]');
    expect((await put('Patient/shape1', { ...bad, id: 'shape1' })).status).toBe(422);
    const obs = { resourceType: 'Observation', status: 'final', code: { text: 'x' }, component: [[{ bogus: 1 }]] };
    expect((await post('Observation', obs)).status).toBe(422);
    const validated = await post('Observation/$validate', obs);
    expect(validated.status).toBe(200);
    expect(validated.body.issue).toEqual(expect.arrayContaining([expect.objectContaining({ severity: 'error', expression: ['Observation.component[0]'] })]));
    const tx = await post('', { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: bad, request: { method: 'POST', url: 'Patient' } }] });
    expect(tx.status).toBe(422);
    expect((await request(app.http).get('/fhir/Patient/shape1')).status).toBe(404);
  });

  it('unsafe or stalling narratives are refused fast everywhere (422 naming Patient.text.div)', async () => {
    for (const div of [XSS_DIV, STALL_DIV]) {
      const patient = { resourceType: 'Patient', text: { status: 'generated', div } };
      const created = await post('Patient', patient);
      expect(created.status).toBe(422);
      expect(created.body.issue[0].expression).toEqual(['Patient.text.div']);
      const validated = await post('Patient/$validate', { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: patient }] });
      expect(validated.body.issue[0]).toEqual(expect.objectContaining({ severity: 'error', expression: ['Patient.text.div'] }));
      const tx = await post('', { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: patient, request: { method: 'POST', url: 'Patient' } }] });
      expect(tx.status).toBe(422);
    }
  });
});
