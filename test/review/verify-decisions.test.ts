/** $verify at instance level through the real app: confirm, refute, amend, their Provenance and the audit trail. */
import request from 'supertest';
import { driversUnderTest } from '../support/databases';
import type { TestApp } from '../support/test-app';
import { fixedClock } from '../support/test-clock';
import { FHIR, TWIN_CS, part, seedFindings, verifyParams, startReviewApp } from './fixtures';

const VERIFIER = 'http://terminology.hl7.org/CodeSystem/provenance-participant-type';
const reviewState = (r: any) => r.meta.tag.filter((t: any) => t.system === TWIN_CS).map((t: any) => t.code);
const hasAiast = (r: any) => r.meta.security.some((s: any) => s.code === 'AIAST');

describe.each(driversUnderTest())('$verify decisions on %s', (kind) => {
  let app: TestApp;
  // Injected: the decision's Provenance.recorded and the new version's lastUpdated are instants the test chose.
  const clock = fixedClock('2025-05-05T08:00:00Z');
  beforeAll(async () => { app = await startReviewApp(kind, { clock }); });
  afterAll(async () => { await app.dispose(); });
  const api = () => request(app.http);
  const verify = (path: string, body: object) => api().post(`/fhir/${path}/$verify`).set('Content-Type', FHIR).send(body);

  test('confirm a Condition: confirmed, tag verified, AIAST kept, Provenance to the new version', async () => {
    const s = await seedFindings(app, 'conf');
    const decidedAt = clock.set('2025-05-05T09:30:00Z').toISOString();
    const res = await verify(`Condition/${s.condition.id}`, verifyParams('confirm', { reviewer: `Practitioner/${s.doctor.id}`, note: 'Matches pathology', version: 1 }));
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('W/"2"');
    expect(res.headers.location).toMatch(new RegExp(`/fhir/Condition/${s.condition.id}/_history/2$`));
    expect(part(res.body, 'target')?.valueReference?.reference).toBe(`Condition/${s.condition.id}/_history/2`);
    expect(part(res.body, 'decision')?.valueCode).toBe('confirm');
    const stored = (await api().get(`/fhir/Condition/${s.condition.id}`)).body;
    expect(stored.meta.versionId).toBe('2');
    expect(stored.verificationStatus.coding[0].code).toBe('confirmed');
    expect(reviewState(stored)).toEqual(['verified']);
    expect(hasAiast(stored)).toBe(true);
    expect(stored.clinicalStatus.coding[0].code).toBe('active');
    expect(stored.extension).toEqual(s.condition.extension);
    expect(stored.evidence).toEqual(s.condition.evidence);
    expect(part(res.body, 'resource')?.resource).toEqual(stored);

    const prov = part(res.body, 'provenance')?.resource as any;
    expect(prov.target).toEqual([{ reference: `Condition/${s.condition.id}/_history/2` }]);
    expect(prov.activity.coding[0]).toMatchObject({ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: 'UPDATE' });
    expect(prov.activity.text).toBe('confirm');
    expect(prov.reason).toEqual([{ text: 'Matches pathology' }]);
    expect(prov.agent).toEqual([{ type: { coding: [expect.objectContaining({ system: VERIFIER, code: 'verifier' })] }, who: { reference: `Practitioner/${s.doctor.id}`, display: 'Gregory House' } }]);
    expect(prov.entity).toEqual([
      { role: 'revision', what: { reference: `Condition/${s.condition.id}/_history/1` } },
      { role: 'derivation', what: { reference: `Provenance/${s.extraction.id}` } },
    ]);
    expect(Date.parse(prov.recorded)).toBeGreaterThan(Date.parse(s.extraction.recorded));
    expect(prov.recorded).toBe(decidedAt);
    expect(stored.meta.lastUpdated).toBe(decidedAt);
    const readBack = await api().get(`/fhir/Provenance/${prov.id}`);
    expect(readBack.status).toBe(200);
  });

  test('refute: Condition refuted (clinicalStatus may stay: con-5 is about entered-in-error), Observation entered-in-error', async () => {
    const s = await seedFindings(app, 'ref');
    const reviewer = `Practitioner/${s.doctor.id}`;
    const c = await verify(`Condition/${s.condition.id}`, verifyParams('refute', { reviewer, note: 'Benign cyst on imaging' }));
    expect(c.status).toBe(200);
    const cond = part(c.body, 'resource')?.resource as any;
    expect(cond.verificationStatus.coding[0].code).toBe('refuted');
    expect(reviewState(cond)).toEqual(['refuted']);
    expect(hasAiast(cond)).toBe(true);
    expect((part(c.body, 'provenance')?.resource as any).activity.text).toBe('refute');

    const o = await verify(`Observation/${s.observation.id}`, verifyParams('refute', { reviewer }));
    expect(o.status).toBe(200);
    const obs = (await api().get(`/fhir/Observation/${s.observation.id}`)).body;
    expect(obs.status).toBe('entered-in-error');
    expect(reviewState(obs)).toEqual(['refuted']);
    expect((part(o.body, 'provenance')?.resource as any).reason).toBeUndefined();
  });

  test('confirm an Observation: final, verified', async () => {
    const s = await seedFindings(app, 'obsc');
    const res = await api().post(`/fhir/Observation/${s.observation.id}/$verify`).set('Content-Type', FHIR).set('If-Match', 'W/"1"')
      .send(verifyParams('confirm', { reviewer: `Practitioner/${s.doctor.id}` }));
    expect(res.status).toBe(200);
    const obs = (await api().get(`/fhir/Observation/${s.observation.id}`)).body;
    expect(obs.status).toBe('final');
    expect(reviewState(obs)).toEqual(['verified']);
    expect(obs.valueQuantity.value).toBe(412);
  });

  test('amend an Observation value: the clinician’s value stored, status and tag forced, evidence kept', async () => {
    const s = await seedFindings(app, 'amo');
    const { meta: _m, extension: _e, derivedFrom: _d, ...clinical } = s.observation;
    const amendedObs = { ...clinical, status: 'preliminary', valueQuantity: { value: 41.2, unit: 'U/mL', system: 'http://unitsofmeasure.org', code: 'U/mL' } };
    const res = await verify(`Observation/${s.observation.id}`, verifyParams('amend', { reviewer: `Practitioner/${s.doctor.id}`, resource: amendedObs, note: 'Decimal point misread', version: 1 }));
    expect(res.status).toBe(200);
    const obs = (await api().get(`/fhir/Observation/${s.observation.id}`)).body;
    expect(obs.valueQuantity.value).toBe(41.2);
    expect(obs.status).toBe('final');
    expect(reviewState(obs)).toEqual(['verified']);
    expect(hasAiast(obs)).toBe(true);
    expect(obs.meta.profile).toEqual(s.observation.meta!.profile);
    expect(obs.extension).toEqual(s.observation.extension);
    expect(obs.derivedFrom).toEqual(s.observation.derivedFrom);
    expect((part(res.body, 'provenance')?.resource as any).activity.text).toBe('amend');
    // vread of the reviewed version still shows what the machine read
    expect((await api().get(`/fhir/Observation/${s.observation.id}/_history/1`)).body.valueQuantity.value).toBe(412);
  });

  test('amend a Condition code; a changed subject, type or id is refused and nothing changes', async () => {
    const s = await seedFindings(app, 'amc');
    const reviewer = `Practitioner/${s.doctor.id}`;
    const moved = { ...s.condition, subject: { reference: 'Patient/someone-else' } };
    expect((await verify(`Condition/${s.condition.id}`, verifyParams('amend', { reviewer, resource: moved }))).status).toBe(422);
    expect((await verify(`Condition/${s.condition.id}`, verifyParams('amend', { reviewer, resource: { ...s.condition, id: 'other' } }))).status).toBe(400);
    expect((await verify(`Condition/${s.condition.id}`, verifyParams('amend', { reviewer, resource: s.observation }))).status).toBe(400);
    expect((await verify(`Condition/${s.condition.id}`, verifyParams('amend', { reviewer }))).status).toBe(400);
    expect((await verify(`Condition/${s.condition.id}`, verifyParams('confirm', { reviewer, resource: s.condition }))).status).toBe(400);
    expect((await api().get(`/fhir/Condition/${s.condition.id}`)).body.meta.versionId).toBe('1');

    const code = { coding: [{ system: 'http://snomed.info/sct', code: '254849009', display: 'Malignant neoplasm of right ovary' }] };
    const res = await verify(`Condition/${s.condition.id}`, verifyParams('amend', { reviewer, resource: { ...s.condition, code } }));
    expect(res.status).toBe(200);
    const cond = (await api().get(`/fhir/Condition/${s.condition.id}`)).body;
    expect(cond.code).toEqual(code);
    expect(cond.verificationStatus.coding[0].code).toBe('confirmed');
    expect(reviewState(cond)).toEqual(['verified']);
  });

  test('an invalid amended resource is a 422 with paths, and nothing is written', async () => {
    const s = await seedFindings(app, 'inv');
    const reviewer = `Practitioner/${s.doctor.id}`;
    const bad = { ...s.observation, valueQuantity: { value: 'lots' }, effectiveDateTime: '2024-02-30' };
    const res = await verify(`Observation/${s.observation.id}`, verifyParams('amend', { reviewer, resource: bad }));
    expect(res.status).toBe(422);
    const paths = res.body.issue.flatMap((i: any) => i.expression ?? []);
    expect(paths).toEqual(expect.arrayContaining(['Observation.value.ofType(Quantity).value', 'Observation.effective.ofType(dateTime)']));
    // con-4: an abated condition must not stay active
    const abated = { ...s.condition, abatementDateTime: '2024-05-01' };
    const con4 = await verify(`Condition/${s.condition.id}`, verifyParams('amend', { reviewer, resource: abated }));
    expect(con4.status).toBe(422);
    expect(con4.body.issue[0].diagnostics).toMatch(/^con-4/);
    expect((await api().get(`/fhir/Observation/${s.observation.id}`)).body.meta.versionId).toBe('1');
    expect((await api().get(`/fhir/Condition/${s.condition.id}`)).body.meta.versionId).toBe('1');
    expect((await api().get(`/fhir/Provenance?target=Observation/${s.observation.id}`)).body.entry).toHaveLength(1);
  });

  test('audit trail: Provenance?target=Condition/x finds the extraction and the decision (versioned target)', async () => {
    const s = await seedFindings(app, 'aud');
    await verify(`Condition/${s.condition.id}`, verifyParams('confirm', { reviewer: `Practitioner/${s.doctor.id}` }));
    const bundle = (await api().get(`/fhir/Provenance?target=Condition/${s.condition.id}&_sort=recorded`)).body;
    const found = bundle.entry.map((e: any) => e.resource);
    expect(found.map((p: any) => p.id)[0]).toBe(s.extraction.id);
    expect(found).toHaveLength(2);
    expect(found[1].target[0].reference).toBe(`Condition/${s.condition.id}/_history/2`);
    const byAgent = (await api().get(`/fhir/Provenance?agent=Practitioner/${s.doctor.id}`)).body;
    expect(byAgent.entry.map((e: any) => e.resource.id)).toEqual([found[1].id]);
  });

  test('CapabilityStatement lists $verify and $review-summary', async () => {
    const cs = (await api().get('/fhir/metadata')).body;
    const ops = (type?: string) => (type ? cs.rest[0].resource.find((r: any) => r.type === type).operation ?? [] : cs.rest[0].operation);
    const verifyDef = { name: 'verify', definition: 'https://twinfhir.org/fhir/OperationDefinition/verify' };
    expect(ops('Condition')).toContainEqual(verifyDef);
    expect(ops('Observation')).toContainEqual(verifyDef);
    expect(ops('Patient').map((o: any) => o.name)).not.toContain('verify');
    expect(ops()).toEqual(expect.arrayContaining([verifyDef, { name: 'review-summary', definition: 'https://twinfhir.org/fhir/OperationDefinition/review-summary' }]));
    expect((await verify('Patient/x', verifyParams('confirm'))).status).toBe(404);
  });
});
