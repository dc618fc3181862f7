/**
 * A hospital extends the NLP catalogue through the API: a concept with designations PUT into the stored
 * `nlp-concept` CodeSystem (and its ICD-10-CM into the SNOMED CT → ICD-10-CM ConceptMap) is what the very
 * next extraction finds and codes; an added observation concept brings its UCUM unit (and plausible range) as
 * properties, so its values are normalised like the seeded ones; invalid catalogue content is refused with 422 and stores nothing; the
 * start-up sync keeps the extension.
 */
import type { CodeSystem, CodeSystemConcept, Condition, ConceptMap, Observation, OperationOutcome, Patient } from 'fhir/r4';
import request from 'supertest';
import { catalogueResources } from '../../server/nlp/catalogue-resources';
import { syncCatalogue } from '../../server/nlp/catalogue-sync';
import { loadNlpMappings } from '../../server/nlp/mappings';
import { systemContext } from '../../server/core/access-context';
import { driversUnderTest } from '../support/databases';
import { startTestApp, type TestApp } from '../support/test-app';
import { FHIR_JSON, noteDocument, post, search, settledTask } from '../pipeline/helpers';

const SCT = 'http://snomed.info/sct';
const ICD = 'http://hl7.org/fhir/sid/icd-10-cm';
const LYMPHEDEMA: CodeSystemConcept = {
  code: 'lymphedema', display: 'Lymphedema',
  designation: [
    { language: 'en', use: { system: SCT, code: '900000000000013009', display: 'Synonym' }, value: 'lymphoedema' },
    { language: 'en', value: 'lymphedema' },
    { language: 'de-DE', value: 'Lymphödem' },
  ],
  property: [{ code: 'snomed', valueCode: '234097001' }],
};
/** A hospital's own tumour marker: a LOINC code through the ConceptMap and its UCUM unit as a property. */
const CA153: CodeSystemConcept = {
  code: 'ca15_3', display: 'CA 15-3',
  designation: [{ language: 'en', value: 'CA 15-3' }, { language: 'de', value: 'CA 15-3' }],
  property: [{ code: 'unit', valueCode: 'U/mL' }, { code: 'range_low', valueDecimal: 0 }, { code: 'range_high', valueDecimal: 100000 }],
};
const NOTE = 'Follow-up, breast clinic.\nSince the axillary dissection she has developed lymphoedema of the left arm; compression sleeve fitted.\n';

async function read<T>(app: TestApp, path: string): Promise<T & { meta?: { versionId?: string } }> {
  const res = await request(app.http).get(`/fhir/${path}`);
  expect(res.status).toBe(200);
  return res.body as T & { meta?: { versionId?: string } };
}

const put = (app: TestApp, r: CodeSystem | ConceptMap) => request(app.http).put(`/fhir/${r.resourceType}/${r.id ?? ''}`).set('Content-Type', FHIR_JSON).send(JSON.stringify(r));

/** The stored concept CodeSystem with `extra` added to the group `group`. */
function withConcept(cs: CodeSystem, extra: CodeSystemConcept, group: string): CodeSystem {
  return { ...cs, concept: (cs.concept ?? []).map((g) => (g.code === group ? { ...g, concept: [...(g.concept ?? []), extra] } : g)) };
}
const withCondition = (cs: CodeSystem, extra: CodeSystemConcept): CodeSystem => withConcept(cs, extra, 'conditions');

async function conditionsOf(app: TestApp, text: string, patient: string): Promise<Condition[]> {
  const doc = await post(app, noteDocument(patient, text, { language: 'en' }));
  expect((await settledTask(app, doc.id)).status).toBe('completed');
  return search<Condition>(app, `Condition?evidence-detail=DocumentReference/${doc.id}`);
}

const codesOf = (c: Condition, system: string): string[] => (c.code?.coding ?? []).filter((x) => x.system === system).map((x) => x.code ?? '');

describe.each(driversUnderTest())('NLP catalogue extended through the API on %s', (kind) => {
  let app: TestApp;
  let patient: string;
  beforeAll(async () => {
    app = await startTestApp(kind, { NLP_WORKERS: '1', NLP_POLL_MS: '50' });
    patient = (await post<Patient>(app, { resourceType: 'Patient', name: [{ family: 'Lindqvist' }] })).id;
  }, 60_000);
  afterAll(async () => app?.dispose());

  test('a concept PUT into the CodeSystem with its ICD-10-CM mapping is found and coded by the next extraction', async () => {
    expect((await conditionsOf(app, NOTE, patient)).flatMap((c) => codesOf(c, SCT))).not.toContain('234097001');

    const cs = await read<CodeSystem>(app, 'CodeSystem/nlp-concept');
    expect((await put(app, withCondition(cs, LYMPHEDEMA))).status).toBe(200);
    const map = await read<ConceptMap>(app, 'ConceptMap/nlp-snomed-to-icd10cm');
    map.group?.[0].element?.push({ code: '234097001', display: 'Lymphedema', target: [{ code: 'I89.0', equivalence: 'equivalent' }] });
    expect((await put(app, map)).status).toBe(200);

    const found = (await conditionsOf(app, NOTE, patient)).filter((c) => codesOf(c, SCT).includes('234097001'));
    expect(found).toHaveLength(1);
    expect(codesOf(found[0], ICD)).toEqual(['I89.0']);
    expect(found[0].code?.text ?? found[0].code?.coding?.[0]?.display).toBe('Lymphedema');
    expect(found[0].verificationStatus?.coding?.[0]?.code).toBe('unconfirmed');
    // the German designation (language with a region) is matched in German notes
    const doc = await post(app, noteDocument(patient, 'Verlaufskontrolle: ausgeprägtes Lymphödem des linken Armes, Kompressionstherapie.\n', { language: 'de' }));
    await settledTask(app, doc.id);
    const de = await search<Condition>(app, `Condition?evidence-detail=DocumentReference/${doc.id}`);
    expect(de.flatMap((c) => codesOf(c, SCT))).toContain('234097001');
  }, 60_000);

  test('an observation concept PUT with a UCUM unit property gets unit normalisation: written units convert to it, bare numbers are not read', async () => {
    const cs = await read<CodeSystem>(app, 'CodeSystem/nlp-concept');
    expect((await put(app, withConcept(cs, CA153, 'tumor-markers'))).status).toBe(200);
    const map = await read<ConceptMap>(app, 'ConceptMap/nlp-concept-to-loinc');
    map.group?.[0].element?.push({ code: 'ca15_3', display: 'CA 15-3', target: [{ code: '6875-9', equivalence: 'equivalent' }] });
    expect((await put(app, map)).status).toBe(200);

    const observed = async (text: string, language: string): Promise<Observation[]> => {
      const doc = await post(app, noteDocument(patient, text, { language }));
      expect((await settledTask(app, doc.id)).status).toBe('completed');
      return (await search<Observation>(app, `Observation?derived-from=DocumentReference/${doc.id}`)).filter((o) => o.code?.coding?.some((c) => c.code === '6875-9'));
    };
    const en = await observed('Tumour markers today: CA 15-3 48 U/ml, CA-125 35 U/ml.\n', 'en');
    expect(en.map((o) => [o.valueQuantity?.value, o.valueQuantity?.code, o.valueQuantity?.system])).toEqual([[48, 'U/mL', 'http://unitsofmeasure.org']]);
    // kU/l is U/mL written another way: converted by UCUM to the concept's unit
    const de = await observed('Tumormarker vom 02.02.2026: CA 15-3 31,5 kU/l.\n', 'de');
    expect(de.map((o) => [o.valueQuantity?.value, o.valueQuantity?.code])).toEqual([[31.5, 'U/mL']]);
    // no unit written: the engine assumes none for an added concept
    expect(await observed('Tumour markers today: CA 15-3 48, stable.\n', 'en')).toHaveLength(0);
  }, 60_000);

  test('the start-up sync keeps the extension (mappings/ only seeds the catalogue)', async () => {
    await syncCatalogue(app.store, catalogueResources(loadNlpMappings()));
    const cs = (await app.store.read(systemContext(), 'CodeSystem', 'nlp-concept'))?.resource as CodeSystem;
    const conditions = cs.concept?.find((g) => g.code === 'conditions')?.concept ?? [];
    expect(conditions.find((c) => c.code === 'lymphedema')?.designation).toHaveLength(3);
    expect(conditions.find((c) => c.code === 'ovarian_cancer')).toBeDefined();
    const map = (await app.store.read(systemContext(), 'ConceptMap', 'nlp-snomed-to-icd10cm'))?.resource as ConceptMap;
    expect(map.group?.[0].element?.find((e) => e.code === '234097001')?.target?.[0].code).toBe('I89.0');
  });

  test.each([
    ['a duplicate code', (cs: CodeSystem) => withCondition(cs, { code: 'ascites', display: 'Ascites again', property: [{ code: 'snomed', valueCode: '389026000' }] }), /duplicate code 'ascites'/],
    ['an unknown parent', (cs: CodeSystem) => ({ ...cs, concept: [...(cs.concept ?? []), { code: 'x_new', display: 'X', property: [{ code: 'parent', valueCode: 'no-such-group' }] }] }), /unknown parent 'no-such-group'/],
    ['a condition without a code', (cs: CodeSystem) => withCondition(cs, { code: 'uncoded', display: 'Uncoded', designation: [{ language: 'en', value: 'uncoded thing' }] }), /needs a 'snomed'/],
    ['a designation in a language the engine does not read', (cs: CodeSystem) => withCondition(cs, { ...LYMPHEDEMA, code: 'lymph_fr', designation: [{ language: 'fr', value: 'lymphœdème' }] }), /language 'fr'/],
    ['an observation unit that is not UCUM', (cs: CodeSystem) => withConcept(cs, { ...CA153, code: 'ca_bad', property: [{ code: 'unit', valueCode: 'U/millilitre' }] }, 'tumor-markers'), /valid UCUM code/],
    ['a plausible range upside down', (cs: CodeSystem) => withConcept(cs, { ...CA153, code: 'ca_range', property: [{ code: 'unit', valueCode: 'U/mL' }, { code: 'range_low', valueDecimal: 10 }, { code: 'range_high', valueDecimal: 1 }] }, 'tumor-markers'), /range_low' is above/],
    ['a concept under no group', (cs: CodeSystem) => ({ ...cs, concept: [...(cs.concept ?? []), { code: 'floating', display: 'Floating' }] }), /under no known group/],
  ])('%s is refused with 422 and nothing is stored', async (_name, change, message) => {
    const before = await read<CodeSystem>(app, 'CodeSystem/nlp-concept');
    const res = await put(app, change(before));
    expect(res.status).toBe(422);
    const oo = res.body as OperationOutcome;
    expect(oo.resourceType).toBe('OperationOutcome');
    expect(oo.issue[0].diagnostics).toMatch(message);
    expect((await read<CodeSystem>(app, 'CodeSystem/nlp-concept')).meta?.versionId).toBe(before.meta?.versionId);
  });

  test('any CodeSystem with a duplicate code is refused (POST)', async () => {
    const res = await request(app.http).post('/fhir/CodeSystem').set('Content-Type', FHIR_JSON).send(JSON.stringify({
      resourceType: 'CodeSystem', url: 'https://example.org/cs/dup', status: 'active', content: 'complete',
      concept: [{ code: 'a', display: 'A', concept: [{ code: 'a', display: 'A again' }] }],
    }));
    expect(res.status).toBe(422);
  });
});
