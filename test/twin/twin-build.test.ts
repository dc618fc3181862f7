/** $twin on a Synthea patient plus hand-made NLP findings: sections, provisional vs verified, narrative, validity, no-op rebuilds. */
import { driversUnderTest } from '../support/databases';
import {
  FHIR, type Json, LIZ, type Loaded, type TwinApp, brca1, create, ecog, entryKeys, figoStage, labCa125, loadSynthea, note,
  decide, provisionalCa125, provisionalCondition, section, startTwinApp,
} from './helpers';

describe.each(driversUnderTest())('Digital Twin build on %s', (kind) => {
  let t: TwinApp;
  let liz: Loaded;
  const ids: Record<string, string> = {};
  let twin: Json;

  beforeAll(async () => {
    t = await startTwinApp(kind, { hook: false });
    liz = await loadSynthea(t, LIZ);
    const p = liz.patientId;
    ids.doc = await create(t, note(p));
    ids.cond = await create(t, provisionalCondition(p, ids.doc));
    ids.obs = await create(t, provisionalCa125(p, ids.doc));
    ids.lab1 = await create(t, labCa125(p, 1200, '2026-01-10'));
    ids.lab2 = await create(t, labCa125(p, 410.5, '2026-02-20'));
    ids.lab0 = await create(t, labCa125(p, 35, '2025-11-02T08:30:00+01:00'));
    ids.stage = await create(t, figoStage(p, ids.doc));
    ids.brca = await create(t, brca1(p));
    ids.ecog = await create(t, ecog(p, 1, '2026-03-14'));
    ids.refuted = await create(t, provisionalCondition(p, ids.doc));
    await decide(t, 'Condition', ids.refuted, 'refuted');
    ids.eie = await create(t, { ...labCa125(p, 9999, '2026-03-01'), status: 'entered-in-error' });
    const res = await t.api().post(`/fhir/Patient/${p}/$twin`).set('Content-Type', FHIR);
    expect(res.status).toBe(200);
    twin = res.body;
  }, 120_000);
  afterAll(async () => { await t.close(); });

  const bundleKeys = (type: string): string[] => liz.keys.filter((k) => k.startsWith(`${type}/`));

  test('is one Composition per patient, typed, authored by the builder Device, preliminary while findings await review', async () => {
    expect(twin.resourceType).toBe('Composition');
    expect(twin.id).toBe(`twin-${liz.patientId}`);
    expect(twin.meta.versionId).toBe('1');
    expect(twin.status).toBe('preliminary');
    expect(twin.type.coding.map((c: Json) => `${c.system}|${c.code}`)).toEqual(['https://twinfhir.org/fhir/CodeSystem/twinfhir|digital-twin', 'http://loinc.org|60591-5']);
    expect(twin.subject.reference).toBe(`Patient/${liz.patientId}`);
    expect(twin.author).toEqual([{ reference: 'Device/twinfhir-twin-builder', display: 'TwinFHIR Digital Twin builder' }]);
    const device = await t.api().get('/fhir/Device/twinfhir-twin-builder');
    expect(device.status).toBe(200);
    const found = await t.api().get(`/fhir/Composition?subject=Patient/${liz.patientId}&type=https://twinfhir.org/fhir/CodeSystem/twinfhir|digital-twin`);
    expect(found.body.entry.map((e: Json) => e.resource.id)).toEqual([twin.id]);
  });

  test('is found with plain search: section, status, date, _include=Composition:entry', async () => {
    const q = `section=https://twinfhir.org/fhir/CodeSystem/twinfhir|tumor-markers&status=preliminary&date=ge2020-01-01&_include=Composition:entry&_count=1`;
    const res = await t.api().get(`/fhir/Composition?${q}`);
    expect(res.status).toBe(200);
    const matches = (res.body.entry as Json[]).filter((e) => e.search.mode === 'match').map((e) => e.resource.id);
    expect(matches).toEqual([twin.id]);
    const included = new Set((res.body.entry as Json[]).filter((e) => e.search.mode === 'include').map((e) => `${e.resource.resourceType}/${e.resource.id}`));
    for (const k of entryKeys(section(twin, 'tumor-markers'))) expect(included.has(k)).toBe(true);
    expect(included.has(`Patient/${liz.patientId}`)).toBe(false);
  });

  test('validates against R4 and the digital-twin profile with no issue at all', () => {
    expect(t.app.rest.validator.validate(twin)).toEqual([]);
  });

  test('keeps provisional findings apart from verified data and leaves refuted / entered-in-error ones out', () => {
    expect(entryKeys(section(twin, 'provisional-findings')).sort()).toEqual([`Condition/${ids.cond}`, `Observation/${ids.obs}`].sort());
    const problems = entryKeys(section(twin, '11450-4'));
    expect(problems.sort()).toEqual(bundleKeys('Condition').sort());
    const all = (twin.section as Json[]).flatMap(entryKeys);
    expect(all).not.toContain(`Condition/${ids.refuted}`);
    expect(all).not.toContain(`Observation/${ids.eie}`);
    // every entry appears in exactly one section
    expect(new Set(all).size).toBe(all.length);
    const div = section(twin, 'provisional-findings').text.div as string;
    expect(div).toContain('await clinician review');
    expect(div).toContain('CA-125 was 845 U/mL');
    expect(div).toContain('Oncology consult note (2026-03-14)');
  });

  test('tumor markers: the verified CA-125 series ordered by date, as a table of dates and values', () => {
    const s = section(twin, 'tumor-markers');
    expect(entryKeys(s)).toEqual([`Observation/${ids.lab0}`, `Observation/${ids.lab1}`, `Observation/${ids.lab2}`]);
    expect(s.orderedBy.coding[0].code).toBe('event-date');
    const div = s.text.div as string;
    expect(div).toMatch(/<caption>CA-125 \(LOINC 10334-1, 83082-8\): 3 result\(s\)<\/caption>/);
    const rows = [...div.matchAll(/<tr><td>([^<]*)<\/td><td>([^<]*)<\/td>/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(rows).toEqual(['2025-11-02 35 U/mL', '2026-01-10 1200 U/mL', '2026-02-20 410.5 U/mL']);
    expect(div).not.toContain('845');
  });

  test('staging, genomics and functional status', () => {
    const staging = section(twin, 'cancer-staging');
    expect(entryKeys(staging)).toEqual([`Observation/${ids.stage}`]);
    expect(staging.text.div).toContain('<b>Current stage:</b> FIGO IIIC (2026-03-14)');
    expect(staging.text.div).toContain('<b>Source:</b> Oncology consult note (2026-03-14)');
    const genomics = section(twin, 'genomics');
    expect(entryKeys(genomics)).toEqual([`Observation/${ids.brca}`]);
    expect(genomics.text.div).toContain('<td>BRCA1</td><td>Present</td>');
    expect(entryKeys(section(twin, '47420-5'))).toEqual([`Observation/${ids.ecog}`]);
  });

  test('IPS sections hold the Synthea data; an empty section says why', () => {
    expect(entryKeys(section(twin, '10160-0')).sort()).toEqual(bundleKeys('MedicationRequest').sort());
    expect(entryKeys(section(twin, '47519-4')).sort()).toEqual(bundleKeys('Procedure').sort());
    expect(entryKeys(section(twin, '11369-6')).sort()).toEqual(bundleKeys('Immunization').sort());
    const results = entryKeys(section(twin, '30954-2'));
    const vitals = entryKeys(section(twin, '8716-3'));
    expect([...results, ...vitals].sort()).toEqual(bundleKeys('Observation').sort());
    expect(vitals.length).toBe(15);
    const allergies = section(twin, '48765-2');
    expect(allergies.entry).toBeUndefined();
    expect(allergies.emptyReason.coding[0]).toMatchObject({ system: 'http://terminology.hl7.org/CodeSystem/list-empty-reason', code: 'nilknown' });
    expect(entryKeys(section(twin, 'source-documents'))).toEqual([`DocumentReference/${ids.doc}`]);
    expect(section(twin, 'source-documents').text.div).toMatch(/<td>Oncology consult note<\/td><td><\/td><td>3<\/td>/); // the two provisional findings and the stage; not the refuted one
  });

  test('a rebuild with nothing changed writes no version; a change writes one', async () => {
    const again = await t.api().post(`/fhir/Patient/${liz.patientId}/$twin`).set('Content-Type', FHIR);
    expect(again.body.meta.versionId).toBe('1');
    await create(t, labCa125(liz.patientId, 80, '2026-03-20'));
    const third = await t.api().post(`/fhir/Patient/${liz.patientId}/$twin`).set('Content-Type', FHIR);
    expect(third.body.meta.versionId).toBe('2');
    expect(third.headers.etag).toBe('W/"2"');
    const history = await t.api().get(`/fhir/Composition/${twin.id as string}/_history`);
    expect(history.body.entry).toHaveLength(2);
  });

  test('$twin errors: unknown patient 404, GET not allowed', async () => {
    expect((await t.api().post('/fhir/Patient/nobody/$twin').set('Content-Type', FHIR)).status).toBe(404);
    expect((await t.api().get(`/fhir/Patient/${liz.patientId}/$twin`)).status).toBe(405);
  });
});
