/** ValueSet/$expand and $validate-code, ConceptMap/$translate and the token modifiers :in/:not-in/:below/:above, on API-created and shipped resources. */
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import type { TestApp } from '../support/test-app';
import { BODY, OTHER } from './fixtures';
import { FHIR, type Json, expectOutcome, outParams, params, partsOf, startTerminologyApp } from './helpers';

const enc = encodeURIComponent;
const VS = 'http://example.org/vs';
const SCT = 'http://snomed.info/sct';
const ICD = 'http://hl7.org/fhir/sid/icd-10-cm';
const LOINC = 'http://loinc.org';
const codes = (body: Json): string[] => (body.expansion.contains ?? []).map((c: Json) => c.code);

describe.each(driversUnderTest())('ValueSet and ConceptMap operations on %s', (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTerminologyApp(kind);
    const cond = (id: string, system: string, code: string) => ({ resourceType: 'Condition', id, subject: { reference: 'Patient/p1' }, code: { coding: [{ system, code }] } });
    for (const r of [cond('c-ov', BODY, 'ovarian'), cond('c-lung', BODY, 'lung'), cond('c-inf', BODY, 'infection'), cond('c-dis', BODY, 'disorder'), cond('c-sct', SCT, '363443007'),
      { resourceType: 'Observation', id: 'o-ca125', status: 'final', code: { coding: [{ system: LOINC, code: '10334-1' }] } },
      { resourceType: 'Observation', id: 'o-hb', status: 'final', code: { coding: [{ system: LOINC, code: '718-7' }] } }]) {
      await request(app.http).put(`/fhir/${r.resourceType}/${r.id}`).set('Content-Type', FHIR).send(r).expect((res) => expect(res.status).toBeLessThan(300));
    }
  });
  afterAll(async () => { await app?.dispose(); });
  const get = (url: string) => request(app.http).get(url);
  const post = (url: string, body: unknown) => request(app.http).post(url).set('Content-Type', FHIR).send(body as object);

  test.each([
    ['cancers', ['cancer', 'ovarian', 'lung', 'leukaemia']],
    ['below-disorder', ['cancer', 'ovarian', 'infection', 'lung', 'leukaemia']],
    ['solid', ['ovarian', 'lung']],
    ['listed', ['infection', 'ovarian']],
    ['all-but-infection', ['disorder', 'cancer', 'ovarian', 'lung', 'leukaemia']],
  ])('$expand %s (GET by url): total and contains with system/code/display', async (id, expected) => {
    const res = await get(`/fhir/ValueSet/$expand?url=${enc(`${VS}/${id}`)}`);
    expect(res.status).toBe(200);
    expect(res.body.resourceType).toBe('ValueSet');
    expect(res.body.expansion.total).toBe(expected.length);
    expect([...codes(res.body)].sort()).toEqual([...expected].sort());
    for (const c of res.body.expansion.contains) expect(c).toMatchObject({ system: BODY, code: expect.any(String), display: expect.any(String) });
    expect(res.body.expansion.timestamp).toEqual(expect.any(String));
  });

  test('$expand keeps the ValueSet\'s own display, filters text, pages with offset/count, works at instance level and on a POSTed ValueSet', async () => {
    const listed = (await get(`/fhir/ValueSet/listed/$expand`)).body;
    expect(listed.expansion.contains).toContainEqual({ system: BODY, version: '1', code: 'ovarian', display: 'Ovary cancer' });
    const filtered = (await get(`/fhir/ValueSet/$expand?url=${enc(`${VS}/cancers`)}&filter=LUNG`)).body;
    expect([filtered.expansion.total, codes(filtered)]).toEqual([1, ['lung']]);
    const all = codes((await get(`/fhir/ValueSet/$expand?url=${enc(`${VS}/below-disorder`)}`)).body);
    const page = (await get(`/fhir/ValueSet/$expand?url=${enc(`${VS}/below-disorder`)}&offset=1&count=2`)).body;
    expect([page.expansion.total, page.expansion.offset, codes(page)]).toEqual([5, 1, all.slice(1, 3)]);
    expect(page.expansion.parameter).toEqual([{ name: 'offset', valueInteger: 1 }, { name: 'count', valueInteger: 2 }]);
    const posted = await post('/fhir/ValueSet/$expand', params(
      { name: 'valueSet', resource: { resourceType: 'ValueSet', status: 'draft', compose: { include: [{ system: BODY, filter: [{ property: 'concept', op: 'is-a', value: 'cancer' }, { property: 'kind', op: 'in', value: 'liquid,solid' }] }] } } },
      { name: 'count', valueInteger: 10 },
    ));
    expect(posted.status).toBe(200);
    expect(codes(posted.body).sort()).toEqual(['leukaemia', 'lung', 'ovarian']);
  });

  test('$expand of the shipped ValueSets carries the displays from mappings/', async () => {
    const markers = (await get(`/fhir/ValueSet/$expand?url=${enc('https://twinfhir.org/fhir/ValueSet/nlp-tumor-markers')}`)).body;
    expect(markers.expansion.contains).toContainEqual({ system: LOINC, code: '10334-1', display: 'CA-125 in serum or plasma' });
    expect(markers.expansion.contains).toContainEqual({ system: LOINC, code: '83082-8' }); // second code: no display in mappings/
    const genomics = (await get('/fhir/ValueSet/nlp-genomics/$expand')).body;
    expect(genomics.expansion.contains).toEqual([{ system: LOINC, code: '69548-6' }]); // BRCA1 and BRCA2 disagree: no display
    const conditions = (await get(`/fhir/ValueSet/nlp-conditions/$expand?filter=ovary`)).body;
    expect(conditions.expansion.contains).toContainEqual({ system: SCT, code: '363443007', display: 'Malignant tumor of ovary' });
  });

  test('$expand errors: too costly, whole external system, unknown ValueSet, bad paging', async () => {
    const big = { resourceType: 'ValueSet', status: 'draft', compose: { include: [{ system: 'http://example.org/cs/big' }] } };
    expectOutcome(await post('/fhir/ValueSet/$expand', params({ name: 'valueSet', resource: big as never })), 400, 'too-costly');
    const narrowed = await post('/fhir/ValueSet/$expand', params({ name: 'valueSet', resource: big as never }, { name: 'filter', valueString: 'Code 14' }));
    expect(codes(narrowed.body)).toEqual(['c14', ...Array.from({ length: 10 }, (_, i) => `c14${i}`)]); // word prefixes: not c114
    expectOutcome(await get(`/fhir/ValueSet/$expand?url=${enc(`${VS}/all-loinc`)}`), 400, 'not-supported', /not a full SNOMED CT \/ LOINC/);
    expectOutcome(await get(`/fhir/ValueSet/$expand?url=${enc(`${VS}/missing`)}`), 404, 'not-found', /not a full SNOMED CT/);
    expectOutcome(await get('/fhir/ValueSet/missing/$expand'), 404);
    expectOutcome(await get(`/fhir/ValueSet/$expand?url=${enc(`${VS}/cancers`)}&count=-1`), 400);
    expectOutcome(await get('/fhir/ValueSet/$expand'), 400, 'invalid');
    expectOutcome(await get(`/fhir/ValueSet/$expand?valueSet=x`), 400, 'invalid', /POSTed Parameters/);
    // an inline ValueSet must be valid R4 before it is expanded
    const invalid = await post('/fhir/ValueSet/$expand', params({ name: 'valueSet', resource: { resourceType: 'ValueSet', status: 'bogus', compose: { include: 7 } } as never }));
    expect(invalid.status).toBe(400);
    expect(invalid.body.issue.map((i: Json) => i.diagnostics).join(' ')).toMatch(/Parameter valueSet/);
  });

  test('ValueSet/$validate-code: membership, displays, CodeableConcepts, instance level', async () => {
    const check = async (url: string): Promise<Json> => outParams((await get(url)).body);
    const inVs = await check(`/fhir/ValueSet/$validate-code?url=${enc(`${VS}/cancers`)}&system=${enc(BODY)}&code=lung`);
    expect([inVs.result[0].valueBoolean, inVs.display[0].valueString]).toEqual([true, 'Lung cancer']);
    const out = await check(`/fhir/ValueSet/$validate-code?url=${enc(`${VS}/cancers`)}&system=${enc(BODY)}&code=infection`);
    expect([out.result[0].valueBoolean, out.message[0].valueString]).toEqual([false, expect.stringContaining('not in ValueSet')]);
    const badDisplay = await check(`/fhir/ValueSet/solid/$validate-code?system=${enc(BODY)}&code=lung&display=Leukaemia`);
    expect(badDisplay.result[0].valueBoolean).toBe(false);
    const cc = outParams((await post('/fhir/ValueSet/nlp-conditions/$validate-code', params({ name: 'codeableConcept', valueCodeableConcept: { coding: [{ system: ICD, code: 'C56.9' }] } }))).body);
    expect(cc.result[0].valueBoolean).toBe(true);
    expectOutcome(await get(`/fhir/ValueSet/$validate-code?url=${enc(`${VS}/cancers`)}&code=lung`), 400, 'invalid', /system/);
  });

  test('$translate on the shipped maps: SNOMED CT → ICD-10-CM, reverse, concept → LOINC', async () => {
    const fwd = outParams((await get(`/fhir/ConceptMap/$translate?system=${enc(SCT)}&code=363443007`)).body);
    expect(fwd.result[0].valueBoolean).toBe(true);
    const matches = fwd.match.map(partsOf);
    expect(matches).toContainEqual({ equivalence: 'equivalent', concept: { system: ICD, code: 'C56.9' }, source: 'https://twinfhir.org/fhir/ConceptMap/nlp-snomed-to-icd10cm' });
    expect(matches).toContainEqual(expect.objectContaining({ equivalence: 'narrower', concept: { system: ICD, code: 'C56.1' } }));
    const rev = outParams((await get(`/fhir/ConceptMap/$translate?system=${enc(ICD)}&code=C78.7&reverse=true`)).body);
    expect(rev.match.map(partsOf)).toContainEqual(expect.objectContaining({ equivalence: 'equivalent', concept: { system: SCT, code: '94381002', display: 'Secondary malignant neoplasm of liver' } }));
    const loinc = outParams((await post('/fhir/ConceptMap/nlp-concept-to-loinc/$translate', params({ name: 'coding', valueCoding: { system: 'https://twinfhir.org/fhir/CodeSystem/nlp-concept', code: 'ca125' } }))).body);
    expect(loinc.match.map(partsOf)[0]).toMatchObject({ equivalence: 'equivalent', concept: { system: LOINC, code: '10334-1', display: 'CA-125 in serum or plasma' } });
  });

  test('$translate on an API-created ConceptMap: url, targetsystem, source/target scopes, unmatched, errors', async () => {
    const byUrl = outParams((await get(`/fhir/ConceptMap/$translate?url=${enc('http://example.org/cm/findings-to-other')}&system=${enc(BODY)}&code=ovarian&targetsystem=${enc(OTHER)}`)).body);
    expect(byUrl.match.map(partsOf)).toEqual([
      { equivalence: 'equivalent', concept: { system: OTHER, code: 'O1', display: 'Ovary' }, source: 'http://example.org/cm/findings-to-other' },
      { equivalence: 'wider', concept: { system: OTHER, code: 'O9' }, source: 'http://example.org/cm/findings-to-other' },
    ]);
    const scoped = outParams((await get(`/fhir/ConceptMap/$translate?system=${enc(BODY)}&code=lung&source=${enc(`${VS}/other`)}`)).body);
    expect(scoped.result[0].valueBoolean).toBe(false);
    const unmatched = outParams((await get(`/fhir/ConceptMap/findings-to-other/$translate?system=${enc(BODY)}&code=infection`)).body);
    expect([unmatched.result[0].valueBoolean, unmatched.message[0].valueString]).toEqual([false, expect.stringContaining('No usable mapping')]);
    const none = outParams((await get(`/fhir/ConceptMap/$translate?system=${enc(BODY)}&code=nothing`)).body);
    expect([none.result[0].valueBoolean, none.match]).toEqual([false, undefined]);
    expectOutcome(await get(`/fhir/ConceptMap/$translate?url=${enc('http://nope')}&system=${enc(BODY)}&code=x`), 404, 'not-found');
    expectOutcome(await get('/fhir/ConceptMap/$translate?code=x'), 400, 'invalid');
    expectOutcome(await get(`/fhir/ConceptMap/$translate?system=${enc(BODY)}&code=x&reverse=maybe`), 400, 'invalid');
  });

  test.each([
    [`Condition?code:below=${enc(`${BODY}|cancer`)}`, ['c-lung', 'c-ov']],
    [`Condition?code:above=${enc(`${BODY}|ovarian`)}`, ['c-dis', 'c-ov']],
    [`Condition?code:in=${enc(`${VS}/solid`)}`, ['c-lung', 'c-ov']],
    [`Condition?code:not-in=${enc(`${VS}/cancers`)}`, ['c-dis', 'c-inf', 'c-sct']],
    [`Condition?code:in=${enc('https://twinfhir.org/fhir/ValueSet/nlp-conditions')}`, ['c-sct']],
    [`Observation?code:in=${enc('https://twinfhir.org/fhir/ValueSet/nlp-tumor-markers')}`, ['o-ca125']],
    [`Observation?code:not-in=${enc('https://twinfhir.org/fhir/ValueSet/nlp-tumor-markers')}`, ['o-hb']],
  ])('search %s', async (q, expected) => {
    const res = await get(`/fhir/${q}`);
    expect(res.status).toBe(200);
    expect((res.body.entry ?? []).map((e: Json) => e.resource.id).sort()).toEqual(expected);
  });

  test('search modifiers: an unknown ValueSet and an unheld system are 400', async () => {
    expectOutcome(await get(`/fhir/Condition?code:in=${enc(`${VS}/missing`)}`), 400, 'not-found');
    expectOutcome(await get(`/fhir/Condition?code:below=${enc(`${SCT}|363443007`)}`), 400, 'not-supported', /not a full SNOMED CT/);
  });
});
