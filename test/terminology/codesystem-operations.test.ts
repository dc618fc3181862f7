/** CodeSystem/$lookup, $validate-code and $subsumes (GET and POST, type and instance level) on a CodeSystem created through the API and on our shipped one. */
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import type { TestApp } from '../support/test-app';
import { BODY } from './fixtures';
import { FHIR, type Json, expectOutcome, outParams, params, partsOf, startTerminologyApp } from './helpers';

const TWIN = 'https://twinfhir.org/fhir/CodeSystem/twinfhir';
const enc = encodeURIComponent;

describe.each(driversUnderTest())('CodeSystem operations on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => { app = await startTerminologyApp(kind); });
  afterAll(async () => { await app?.dispose(); });
  const get = (url: string) => request(app.http).get(url);
  const post = (url: string, body: unknown) => request(app.http).post(url).set('Content-Type', FHIR).send(body as object);

  test('$lookup GET: name, version, display, designation, definition, parent and child from nesting and parent properties', async () => {
    const res = await get(`/fhir/CodeSystem/$lookup?system=${enc(BODY)}&code=cancer`);
    expect(res.status).toBe(200);
    const out = outParams(res.body);
    expect(out.name[0].valueString).toBe('Findings');
    expect(out.version[0].valueString).toBe('1');
    expect(out.display[0].valueString).toBe('Cancer');
    const props = out.property.map(partsOf);
    expect(props.filter((p) => p.code === 'parent')).toEqual([{ code: 'parent', value: 'disorder' }]);
    expect(props.filter((p) => p.code === 'child').map((p) => p.value).sort()).toEqual(['leukaemia', 'lung', 'ovarian']);
    const disorder = outParams((await get(`/fhir/CodeSystem/$lookup?system=${enc(BODY)}&code=disorder`)).body);
    expect(disorder.designation.map(partsOf)).toEqual([{ language: 'de', value: 'Störung' }]);
    expect(disorder.property.map(partsOf)).toContainEqual({ code: 'definition', value: 'Any disorder' });
  });

  test('$lookup POST with a coding and named properties returns only those (with the property description)', async () => {
    const res = await post('/fhir/CodeSystem/$lookup', params(
      { name: 'coding', valueCoding: { system: BODY, code: 'lung' } }, { name: 'property', valueCode: 'kind' }, { name: 'property', valueCode: 'parent' },
    ));
    expect(res.status).toBe(200);
    const out = outParams(res.body);
    expect(out.designation).toBeUndefined();
    expect(out.property.map(partsOf)).toEqual([{ code: 'parent', value: 'cancer' }, { code: 'kind', value: 'solid', description: 'Kind of tumour' }]);
  });

  test('$lookup on the shipped twinfhir CodeSystem', async () => {
    const out = outParams((await get(`/fhir/CodeSystem/$lookup?system=${enc(TWIN)}&code=provisional`)).body);
    expect(out.display[0].valueString).toBe('Provisional (unreviewed NLP finding)');
  });

  test('$lookup errors: unknown system says we are not a full terminology server; unknown code 404; missing and extra params 400', async () => {
    expectOutcome(await get(`/fhir/CodeSystem/$lookup?system=${enc('http://snomed.info/sct')}&code=22298006`), 404, 'not-found', /not a full SNOMED CT \/ LOINC terminology server/);
    expectOutcome(await get(`/fhir/CodeSystem/$lookup?system=${enc(BODY)}&code=nope`), 404, 'not-found');
    expectOutcome(await get('/fhir/CodeSystem/$lookup?code=cancer'), 400, 'invalid');
    expectOutcome(await get(`/fhir/CodeSystem/$lookup?system=${enc(BODY)}&code=a&code=b`), 400, 'invalid', /only once/);
    expectOutcome(await get(`/fhir/CodeSystem/$lookup?system=${enc(BODY)}&code=a&bogus=1`), 400, 'invalid', /Unknown parameter/);
    expectOutcome(await post('/fhir/CodeSystem/$lookup', { resourceType: 'Patient' }), 400, 'invalid', /Parameters/);
    expectOutcome(await post('/fhir/CodeSystem/$lookup', { resourceType: 'Parameters', parameter: {} }), 400);
    expectOutcome(await post('/fhir/CodeSystem/$lookup', params({ name: 'coding', valueCoding: 'x' as never })), 400, 'invalid', /Coding/);
    expectOutcome(await post('/fhir/CodeSystem/$lookup', params({ name: 'code' } as never)), 400, 'invalid', /string value/);
  });

  test('$validate-code at type level (GET) and instance level (POST), with display checks and CodeableConcepts', async () => {
    const ok = outParams((await get(`/fhir/CodeSystem/$validate-code?url=${enc(BODY)}&code=ovarian`)).body);
    expect([ok.result[0].valueBoolean, ok.display[0].valueString]).toEqual([true, 'Ovarian cancer']);
    const wrong = outParams((await get(`/fhir/CodeSystem/$validate-code?url=${enc(BODY)}&code=ovarian&display=Lung`)).body);
    expect(wrong.result[0].valueBoolean).toBe(false);
    expect(wrong.message[0].valueString).toMatch(/Display 'Lung'/);
    const unknown = outParams((await get(`/fhir/CodeSystem/$validate-code?url=${enc(BODY)}&code=zzz`)).body);
    expect(unknown.result[0].valueBoolean).toBe(false);
    const inst = outParams((await post('/fhir/CodeSystem/findings/$validate-code', params({ name: 'coding', valueCoding: { system: BODY, code: 'lung', display: 'Lung cancer' } }))).body);
    expect(inst.result[0].valueBoolean).toBe(true);
    const cc = outParams((await post('/fhir/CodeSystem/$validate-code', params(
      { name: 'url', valueUri: BODY }, { name: 'codeableConcept', valueCodeableConcept: { coding: [{ system: 'http://x', code: 'q' }, { system: BODY, code: 'infection' }] } },
    ))).body);
    expect(cc.result[0].valueBoolean).toBe(true);
    const twin = outParams((await get(`/fhir/CodeSystem/$validate-code?url=${enc(TWIN)}&code=digital-twin`)).body);
    expect(twin.result[0].valueBoolean).toBe(true);
    expectOutcome(await get('/fhir/CodeSystem/nope/$validate-code?code=x'), 404);
    expectOutcome(await get(`/fhir/CodeSystem/$validate-code?url=${enc('http://loinc.org')}&code=718-7`), 404, 'not-found', /not a full SNOMED CT/);
    expectOutcome(await get(`/fhir/CodeSystem/$validate-code?url=${enc(BODY)}`), 400, 'invalid', /exactly one of code, coding or codeableConcept/);
  });

  test.each([
    ['cancer', 'ovarian', 'subsumes'], ['lung', 'cancer', 'subsumed-by'], ['disorder', 'leukaemia', 'subsumes'],
    ['lung', 'lung', 'equivalent'], ['lung', 'infection', 'not-subsumed'],
  ])('$subsumes %s / %s → %s (GET type level)', async (a, b, outcome) => {
    const res = await get(`/fhir/CodeSystem/$subsumes?system=${enc(BODY)}&codeA=${a}&codeB=${b}`);
    expect(res.status).toBe(200);
    expect(outParams(res.body).outcome[0].valueCode).toBe(outcome);
  });

  test('$subsumes POST with codings, at instance level, and its errors', async () => {
    const res = await post('/fhir/CodeSystem/$subsumes', params({ name: 'codingA', valueCoding: { system: BODY, code: 'ovarian' } }, { name: 'codingB', valueCoding: { system: BODY, code: 'disorder' } }));
    expect(outParams(res.body).outcome[0].valueCode).toBe('subsumed-by');
    const inst = await get('/fhir/CodeSystem/findings/$subsumes?codeA=cancer&codeB=lung');
    expect(outParams(inst.body).outcome[0].valueCode).toBe('subsumes');
    expectOutcome(await get(`/fhir/CodeSystem/$subsumes?system=${enc(BODY)}&codeA=cancer&codeB=nope`), 400, 'code-invalid');
    expectOutcome(await get(`/fhir/CodeSystem/$subsumes?system=${enc(BODY)}&codeA=cancer`), 400, 'invalid');
    expectOutcome(await get('/fhir/CodeSystem/$subsumes?codeA=a&codeB=b'), 400, 'invalid', /system/);
    expectOutcome(await post('/fhir/CodeSystem/$subsumes', params({ name: 'codingA', valueCoding: { system: 'http://x', code: 'a' } }, { name: 'codingB', valueCoding: { system: BODY, code: 'lung' } })), 404);
  });

  test('a changed CodeSystem is seen at once (the index is keyed by the stored version)', async () => {
    const cs = (await get('/fhir/CodeSystem/findings')).body as Json;
    cs.concept.push({ code: 'sarcoma', display: 'Sarcoma', property: [{ code: 'parent', valueCode: 'cancer' }] });
    expect((await request(app.http).put('/fhir/CodeSystem/findings').set('Content-Type', FHIR).send(cs)).status).toBe(200);
    const res = await get(`/fhir/CodeSystem/$subsumes?system=${enc(BODY)}&codeA=cancer&codeB=sarcoma`);
    expect(outParams(res.body).outcome[0].valueCode).toBe('subsumes');
    cs.concept.pop();
    expect((await request(app.http).put('/fhir/CodeSystem/findings').set('Content-Type', FHIR).send(cs)).status).toBe(200);
    expectOutcome(await get(`/fhir/CodeSystem/$subsumes?system=${enc(BODY)}&codeA=cancer&codeB=sarcoma`), 400, 'code-invalid');
  });

  test('inside a transaction Bundle the operations read the transaction (a CodeSystem PUT in the same Bundle is seen)', async () => {
    const cs = { resourceType: 'CodeSystem', id: 'in-tx', url: 'http://example.org/cs/in-tx', status: 'active', content: 'complete', concept: [{ code: 'a', display: 'A', concept: [{ code: 'b' }] }] };
    const res = await post('/fhir', {
      resourceType: 'Bundle', type: 'transaction', entry: [
        { resource: cs, request: { method: 'PUT', url: 'CodeSystem/in-tx' } },
        { request: { method: 'GET', url: `CodeSystem/$subsumes?system=${enc(cs.url)}&codeA=a&codeB=b` } },
      ],
    });
    expect(res.status).toBe(200);
    expect(outParams(res.body.entry[1].resource).outcome[0].valueCode).toBe('subsumes');
  });

  test('the CapabilityStatement advertises the terminology operations on their types', async () => {
    const cs = (await get('/fhir/metadata')).body as Json;
    const ops = (type: string): string[] => cs.rest[0].resource.find((r: Json) => r.type === type).operation.map((o: Json) => o.name);
    expect(ops('CodeSystem')).toEqual(expect.arrayContaining(['lookup', 'validate-code', 'subsumes']));
    expect(ops('ValueSet')).toEqual(expect.arrayContaining(['expand', 'validate-code']));
    expect(ops('ConceptMap')).toContain('translate');
    expect(ops('Patient')).not.toContain('expand');
  });
});
