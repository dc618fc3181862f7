/** GET Composition/{id}/$document on a twin: a valid R4 document Bundle with every referenced resource. */
import { driversUnderTest } from '../support/databases';
import { FHIR, type Json, LIZ, type Loaded, type TwinApp, create, loadSynthea, note, provisionalCa125, provisionalCondition, startTwinApp } from './helpers';

describe.each(driversUnderTest())('$document on %s', (kind) => {
  let t: TwinApp;
  let liz: Loaded;
  let twin: Json;
  let doc: Json;

  beforeAll(async () => {
    t = await startTwinApp(kind, { hook: false });
    liz = await loadSynthea(t, LIZ);
    const docId = await create(t, note(liz.patientId));
    await create(t, provisionalCondition(liz.patientId, docId));
    await create(t, provisionalCa125(liz.patientId, docId));
    twin = (await t.api().post(`/fhir/Patient/${liz.patientId}/$twin`).set('Content-Type', FHIR)).body;
    const res = await t.api().get(`/fhir/Composition/${twin.id as string}/$document`);
    expect(res.status).toBe(200);
    doc = res.body;
  }, 60_000);
  afterAll(async () => { await t.close(); });

  const keys = (): string[] => (doc.entry as Json[]).map((e) => `${e.resource.resourceType as string}/${e.resource.id as string}`);

  test('is a document Bundle: Composition first, identifier, timestamp, fullUrls matching the resources', () => {
    expect(doc.type).toBe('document');
    expect(doc.identifier.system).toBe('urn:ietf:rfc:3986');
    expect(doc.identifier.value).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(Date.parse(doc.timestamp as string)).not.toBeNaN();
    expect(doc.entry[0].resource).toEqual(twin);
    for (const e of doc.entry as Json[]) expect(e.fullUrl).toMatch(new RegExp(`/fhir/${e.resource.resourceType as string}/${e.resource.id as string}$`));
    expect(new Set(keys()).size).toBe(keys().length);
  });

  test('validates against R4 (bdl-9, bdl-10, bdl-11 included) with no errors', () => {
    const issues = t.app.rest.validator.validate(doc);
    expect(issues.filter((i) => i.severity === 'error' || i.severity === 'fatal')).toEqual([]);
    // the validator does check the document invariants
    const broken = { ...doc, identifier: undefined, timestamp: undefined, entry: [...(doc.entry as Json[])].reverse() };
    const found = t.app.rest.validator.validate(broken).map((i) => i.diagnostics);
    for (const key of ['bdl-9', 'bdl-10', 'bdl-11']) expect(found.some((d) => d.startsWith(key))).toBe(true);
  });

  test('holds every resource the twin references, and their practitioners and organizations', () => {
    const k = keys();
    const referenced = [twin.subject.reference, twin.author[0].reference, ...(twin.section as Json[]).flatMap((s) => ((s.entry ?? []) as Json[]).map((e) => e.reference))];
    for (const r of referenced) expect(k).toContain(r);
    expect(k[1]).toBe(`Patient/${liz.patientId}`);
    expect(k[2]).toBe('Device/twinfhir-twin-builder');
    // MedicationRequest.requester → the Practitioner (one level further)
    const practitioner = liz.keys.find((x) => x.startsWith('Practitioner/')) as string;
    expect(k).toContain(practitioner);
    // nothing the twin does not lead to (e.g. Encounters, Claims)
    expect(k.some((x) => x.startsWith('Claim/') || x.startsWith('Encounter/'))).toBe(false);
  });

  test('errors: unknown Composition 404, persist=true not supported', async () => {
    expect((await t.api().get('/fhir/Composition/nope/$document')).status).toBe(404);
    expect((await t.api().get(`/fhir/Composition/${twin.id as string}/$document?persist=true`)).status).toBe(400);
  });
});
